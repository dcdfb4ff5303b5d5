import ArgumentParser
import Foundation
import StrataOffline
import StrataRegistry
import StrataTraining

/// `strata models list|show|promote|export`: the model registry.
struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models", abstract: "List, show, promote and export registered models.",
        subcommands: [List.self, Show.self, Promote.self, Export.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every registered model version.")
        @OptionGroup var connection: ConnectionOptions
        @Option(name: .long, help: "Only this project.") var project: String?
        @Flag(name: .long, help: "Print as JSON.") var json = false

        func run() throws {
            let versions = try ModelStore(registry: try connection.openRegistryForReading()).list(project: project)
            if json {
                print(try JSONOutput.encode(versions.map(ModelSummary.init)))
                return
            }
            if versions.isEmpty { print("No models registered yet: train one with `strata train`.") }
            for v in versions {
                let headline = v.metrics["validation"] ?? v.metrics["train"] ?? [:]
                let metric = headline["auc"].map { "auc \(String(format: "%.4f", $0))" } ?? headline["rmse"].map { "rmse \(String(format: "%.4f", $0))" } ?? ""
                print("\(v.project)/\(v.name) v\(v.version)  \(v.algorithm)  \(v.stage)  \(metric)  \(v.createdAt)")
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One model version: parameters, features, lineage, metrics.")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The model's name.") var name: String
        @Option(name: .long, help: "The version (default: production, else the latest).") var version: Int?
        @Option(name: .long, help: "The project.") var project: String?

        func run() throws {
            let v = try ModelStore(registry: try connection.openRegistryForReading()).load(name: name, version: version, project: project)
            print(try JSONOutput.encode(ModelSummary(v)))
        }
    }

    struct Promote: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Move a version to a stage (production archives the previous one).")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The model's name.") var name: String
        @Argument(help: "The version.") var version: Int
        @Option(name: .long, help: "none, staging, production or archived.") var stage: String = "production"
        @Option(name: .long, help: "The project.") var project: String?

        func run() throws {
            try ModelStore(registry: try connection.openRegistry()).promote(name: name, version: version, stage: stage, project: project)
            print("\(name) v\(version) is now \(stage)")
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a model in LightGBM's text format (lightgbm.Booster(model_file=...) loads it).")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The model's name.") var name: String
        @Option(name: .long, help: "The version (default: production, else the latest).") var version: Int?
        @Option(name: .long, help: "Export format: lightgbm.") var format: String = "lightgbm"
        @Option(name: .long, help: "Output file (default: stdout).") var output: String?
        @Option(name: .long, help: "The project.") var project: String?

        func validate() throws {
            guard format == "lightgbm" else { throw ValidationError("--format must be lightgbm") }
        }

        func run() throws {
            let v = try ModelStore(registry: try connection.openRegistryForReading()).load(name: name, version: version, project: project)
            let text = try Model(artifact: v.artifact).lightGBMText()
            if let output {
                try PartialFile.write(Array(text.utf8), to: output)
                Terminal.printError("wrote \(name) v\(v.version) to \(output)")
            } else {
                print(text, terminator: "")
            }
        }
    }
}

/// A model version as `models list --json` and `models show` print it.
struct ModelSummary: Encodable {
    var project, name, algorithm, label, stage, createdAt, trainingSet: String
    var version: Int
    var parameters: [String: String]
    var features: [String]
    var metrics: [String: [String: Double]]

    init(_ v: ModelStore.Version) {
        project = v.project
        name = v.name
        algorithm = v.algorithm
        label = v.label
        stage = v.stage
        createdAt = v.createdAt
        trainingSet = v.trainingSet
        version = v.version
        parameters = v.parameters
        features = v.features
        metrics = v.metrics
    }

    enum CodingKeys: String, CodingKey {
        case project, name, algorithm, label, stage, version, parameters, features, metrics
        case createdAt = "created_at"
        case trainingSet = "training_set"
    }
}

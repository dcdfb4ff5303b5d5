import ArgumentParser
import Foundation
import StrataColumnar
import StrataCore
import StrataOffline
import StrataRegistry
import StrataTraining

/// `strata predict`: scores a spine offline with a registered model.
struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Score a spine offline: point-in-time features for each row, then the model's prediction.",
        discussion: """
            Output: the spine's columns, the model's features, then the prediction column (`prediction`, or \
            --prediction-column). A model whose features were retyped or removed since it was trained is \
            refused (exit 2).
            """)

    @Option(name: .long, help: "The model's name.") var model: String
    @Option(name: .long, help: "The version (default: production, else the latest).") var version: Int?
    @Option(name: .long, help: ArgumentHelp("The spine: a table, a \"SELECT ...\" query, or a CSV file.", valueName: "table|query|file.csv"))
    var spine: String
    @Option(name: .long, help: ArgumentHelp("Where to write: a CSV file or pg:TABLE.", valueName: "file.csv|pg:table"))
    var output: String
    @Option(name: .customLong("prediction-column"), help: ArgumentHelp("The name of the output column of scores.", valueName: "name"))
    var predictionColumn = "prediction"
    @Option(name: .long, help: "The project.") var project: String?
    @OptionGroup var connection: ConnectionOptions

    func validate() throws {
        guard !predictionColumn.isEmpty else { throw ValidationError("--prediction-column must not be empty") }
    }

    func run() throws {
        let destination = try TrainingSetOutput(argument: output)
        let registry = try connection.openRegistry()
        let registered = try ModelStore(registry: registry).load(name: model, version: version, project: project)
        try ModelCompatibility.check(registered, registry: registry)
        let trained = try Model(artifact: registered.artifact)
        let references = try registered.features.map { text in
            guard let reference = FeatureReference(parsing: text) else {
                throw CLIError(.badInput, "model \(model) v\(registered.version) names '\(text)', which is not a feature reference")
            }
            return reference
        }
        let set = try TrainingSetBuilder(registry: registry).build(
            TrainingSetRequest(features: .references(references), spine: SpineSource(argument: spine), project: registered.project))
        guard set.frame.index(of: predictionColumn) == nil else {
            throw CLIError(
                .badInput,
                "the spine already has a column named \(predictionColumn), where the scores would go; "
                    + "rename that column or name the scores with --prediction-column")
        }
        let scores = try trained.predict(set.frame)
        let frame = set.frame.adding(predictionColumn, Column(float64: scores))
        try destination.write(frame, connection: registry.connection)
        Terminal.printError("scored \(frame.rowCount) rows with \(model) v\(registered.version) → \(destination)")
    }
}

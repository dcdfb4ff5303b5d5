import ArgumentParser
import Foundation
import StrataColumnar
import StrataCore
import StrataOffline
import StrataPostgres
import StrataRegistry
import StrataTraining

/// `strata train`: builds and saves a training set, trains a model on it, and registers the model.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Build a point-in-time-correct training set, train a model on it, and register a model version.",
        discussion: """
            --param takes LightGBM's parameter names: num_iterations, num_leaves, learning_rate, max_depth, \
            min_data_in_leaf, lambda_l2, feature_fraction, bagging_fraction, early_stopping_round, num_threads, seed, ... \
            Validation is never a random split across time: --validation-from T validates on spine rows at or after T; \
            --validation-column C on rows where the spine's column C is true or 1. \
            Each run registers the next version N of --name, with its training set saved as NAME@vN (fetch it with \
            `strata training-set --saved NAME@vN`), in one transaction: concurrent runs get consecutive versions.

            Example:
              strata train --name eta --service driver_ranking --spine spine.csv --label label --algorithm gbdt \\
                --param num_leaves=31 --param learning_rate=0.05 --validation-from 2026-01-25T00:00:00Z
            """)

    @Option(name: .long, help: "The model's name; each run registers its next version.")
    var name: String

    @OptionGroup var selection: FeatureOptions

    @Option(name: .long, help: ArgumentHelp("The spine: a table, a \"SELECT ...\" query, or a CSV file.", valueName: "table|query|file.csv"))
    var spine: String

    @Option(name: .long, help: "The spine column holding the label.")
    var label: String

    @Option(name: .long, help: "gbdt, logistic or linear.")
    var algorithm: String = Algorithm.gbdt.rawValue

    @Option(name: .customLong("param"), help: ArgumentHelp("A training parameter, LightGBM's name (repeatable).", valueName: "key=value"))
    var parameters: [String] = []

    @Option(name: .customLong("validation-from"), help: ArgumentHelp("Validate on spine rows at or after this time.", valueName: "time"))
    var validationFrom: String?

    @Option(name: .customLong("validation-column"), help: ArgumentHelp("Validate on rows where this spine column is true or 1.", valueName: "column"))
    var validationColumn: String?

    @Option(name: .long, help: "The project (default: the only registered project).")
    var project: String?

    @Flag(name: .long, help: "Print one JSON object: metrics, train_seconds, model, version.")
    var json = false

    @OptionGroup var connection: ConnectionOptions

    @OptionGroup var progress: ProgressOptions

    func validate() throws {
        guard !selection.isEmpty else { throw ValidationError("name the features with exactly one of --service and --features") }
        guard Algorithm(rawValue: algorithm) != nil else {
            throw ValidationError("--algorithm must be one of: \(Algorithm.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard validationFrom == nil || validationColumn == nil else {
            throw ValidationError("give at most one of --validation-from and --validation-column")
        }
        if let validationFrom, UTCTimestamp.parse(validationFrom) == nil {
            throw ValidationError("--validation-from '\(validationFrom)' is not an ISO-8601 time (e.g. 2026-01-25T00:00:00Z)")
        }
        guard SQLIdentifier.isValid(name), name.count <= 50 else {
            throw ValidationError("--name '\(name)' must be letters, digits and _, starting with a letter or _")
        }
    }

    func run() throws {
        progress.apply()
        let settings = try TrainingParameters(parameters)
        let registry = try connection.openRegistry()
        let builder = TrainingSetBuilder(registry: registry)
        let requested = try selection.requested()
        let started = Date()
        let set = try builder.build(TrainingSetRequest(features: requested, spine: SpineSource(argument: spine), project: project)) {
            view, rows in Terminal.progress("training set: \(view): \(rows) rows read")
        }
        Terminal.endProgress()
        guard set.frame[label] != nil else {
            throw CLIError(.badInput, "the spine has no label column '\(label)' (its columns: \(set.frame.names.joined(separator: ", ")))")
        }
        let references = set.lineage.features.compactMap(FeatureReference.init(parsing:))
        var frame = try LabelColumn.numeric(set.frame, label: label)
        var validation: ValidationSplit?
        if let validationFrom {
            validation = .fromTime(column: SpineLoader.timestampColumn, micros: UTCTimestamp.parse(validationFrom)!)
        } else if let validationColumn {
            validation = .indicator(column: validationColumn)
            frame = try LabelColumn.numeric(frame, label: validationColumn)
        }
        if let value = LabelColumn.constantValue(frame, label: label) {
            Terminal.printError(
                "warning: label '\(label)' is \(value) in every row of the training set: the model predicts it always, "
                    + "whatever its metrics say; check the spine's labels")
        }
        Terminal.progress("training \(algorithm) on \(frame.rowCount) rows × \(references.count) features…")
        let result = try Trainer.train(
            frame: frame, label: label, features: references.map(\.columnName), algorithm: Algorithm(rawValue: algorithm)!,
            parameters: settings, validation: validation)
        Terminal.endProgress()
        // The set is saved only once the model trained, with the version in one transaction: a failed run leaves nothing behind.
        let registered = try ModelRegistration.register(
            result, name: name, algorithm: Algorithm(rawValue: algorithm)!, set: set, features: references, label: label,
            registry: registry)
        let metrics = registered.metrics
        let setName = registered.trainingSet
        let total = Date().timeIntervalSince(started)
        if json {
            print(try JSONOutput.encode(TrainOutput(
                metrics: metrics, trainSeconds: result.trainSeconds, model: name, version: registered.version, trainingSet: setName)))
        } else {
            print("registered \(name) v\(registered.version) (\(algorithm), \(references.count) features, trained on saved set \(setName), \(set.frame.rowCount) rows)")
            for (split, values) in metrics.sorted(by: { $0.key > $1.key }) {
                print("  \(split): " + values.sorted { $0.key < $1.key }.map { "\($0.key)=\(String(format: "%.4f", $0.value))" }.joined(separator: " "))
            }
            print("  train \(String(format: "%.2f", result.trainSeconds)) s, total \(String(format: "%.2f", total)) s")
        }
    }
}

struct TrainOutput: Encodable {
    var metrics: [String: [String: Double]]
    var trainSeconds: Double
    var model: String
    var version: Int
    var trainingSet: String

    enum CodingKeys: String, CodingKey {
        case metrics, model, version
        case trainSeconds = "train_seconds"
        case trainingSet = "training_set"
    }
}

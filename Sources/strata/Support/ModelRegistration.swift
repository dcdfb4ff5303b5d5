import StrataCore
import StrataOffline
import StrataRegistry
import StrataTraining

/// Registers a trained model with its lineage through `SavedTrainingSets.registerModel`, which saves the
/// training set as `NAME@vN` and the version in one transaction.
enum ModelRegistration {
    struct Registered {
        var version: Int
        var trainingSet: String
        var metrics: [String: [String: Double]]
    }

    static func register(
        _ result: TrainingResult, name: String, algorithm: Algorithm, set: TrainingSet, features: [FeatureReference],
        label: String, registry: Registry
    ) throws -> Registered {
        var metrics = ["train": Dictionary(uniqueKeysWithValues: result.trainMetrics.values.map { ($0.name, $0.value) })]
        if let report = result.validationMetrics {
            metrics["validation"] = Dictionary(uniqueKeysWithValues: report.values.map { ($0.name, $0.value) })
        }
        let model = ModelStore.Version(
            project: set.lineage.project, name: name, algorithm: algorithm.rawValue, parameters: result.model.parameters,
            features: features.map(\.description), label: label, trainingSet: "", metrics: metrics,
            artifact: result.model.artifact())
        let registered = try SavedTrainingSets(registry: registry).registerModel(model, trainedOn: set)
        return Registered(version: registered.version, trainingSet: registered.trainingSet, metrics: metrics)
    }
}

import StrataCore
import StrataOffline
import StrataRegistry
import StrataTraining

/// Registers a trained model with its lineage: the training set is saved first, under `NAME_vN`.
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
        let store = ModelStore(registry: registry)
        let setName = "\(name)_v\(try store.nextVersion(project: set.lineage.project, name: name))"
        try SavedTrainingSets(registry: registry).save(set, name: setName)
        var metrics = ["train": Dictionary(uniqueKeysWithValues: result.trainMetrics.values.map { ($0.name, $0.value) })]
        if let report = result.validationMetrics {
            metrics["validation"] = Dictionary(uniqueKeysWithValues: report.values.map { ($0.name, $0.value) })
        }
        let version = try store.register(
            ModelStore.Version(
                project: set.lineage.project, name: name, algorithm: algorithm.rawValue, parameters: result.model.parameters,
                features: features.map(\.description), label: label, trainingSet: setName, metrics: metrics,
                artifact: result.model.artifact()))
        return Registered(version: version, trainingSet: setName, metrics: metrics)
    }
}

import StrataCore
import StrataRegistry
import StrataTraining

/// A registered model version ready to score: the trained model and the features it reads.
struct LoadedModel: Sendable {
    /// The model's name.
    let name: String
    /// Its version.
    let version: Int
    /// Its registration without the artifact: the features, the lineage set, what `ModelCompatibility` checks.
    let registration: ModelStore.Version
    /// The features it reads, in the order of its registration.
    let references: [FeatureReference]
    /// The trained model (its `featureNames` are the references' column names).
    let model: Model
}

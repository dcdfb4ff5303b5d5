import StrataCore
import StrataTraining

/// A registered model version ready to score: the trained model and the features it reads.
struct LoadedModel: Sendable {
    /// The model's name.
    let name: String
    /// Its version.
    let version: Int
    /// The features it reads, in the order of its registration.
    let references: [FeatureReference]
    /// The trained model (its `featureNames` are the references' column names).
    let model: Model
}

import StrataCore

/// What a training set is made of: the features (a service or references) and the spine.
public struct TrainingSetRequest: Sendable, Hashable {
    /// How the features are named.
    public enum Features: Sendable, Hashable {
        case service(String)
        case references([FeatureReference])
    }

    public var features: Features
    public var spine: SpineSource
    /// The project; nil means the only project in the registry.
    public var project: String?

    public init(features: Features, spine: SpineSource, project: String? = nil) {
        self.features = features
        self.spine = spine
        self.project = project
    }
}

import StrataOffline

/// What a training/serving skew check is asked to do.
public struct SkewRequest: Sendable {
    /// The features to compare (a service or references).
    public var features: TrainingSetRequest.Features
    /// The served-feature log window, `[from, to)` by serving time (µs, UTC).
    public var from: Int64
    public var to: Int64
    /// The project (nil: the only registered one).
    public var project: String?
    /// The most disagreeing rows shown per feature.
    public var examples: Int
    /// The disagreeing share a feature may have without counting as skewed (0: none).
    public var maxShare: Double

    public init(
        features: TrainingSetRequest.Features, from: Int64, to: Int64, project: String? = nil, examples: Int = 5, maxShare: Double = 0
    ) {
        self.features = features
        self.from = from
        self.to = to
        self.project = project
        self.examples = examples
        self.maxShare = maxShare
    }

    /// The window as given on the command line, `served:FROM..TO`.
    public var source: String { DriftInput.served(from: from, to: to).description }
}

/// A training/serving skew check's result: what was replayed, every feature's comparison, and
/// whether skew was found.
public struct SkewReport: Sendable, Encodable {
    /// The served-feature log window that was replayed.
    public struct Served: Sendable, Encodable {
        /// `served:FROM..TO`.
        public var source: String
        /// The log rows whose request asked for any of the features.
        public var rows: Int
    }

    public var served: Served
    public var project: String
    /// The feature service, when the features were named by one.
    public var service: String?
    /// The disagreeing share a feature may have without counting as skewed.
    public var maxShare: Double
    /// The features, in the order asked for.
    public var features: [FeatureSkew]

    /// How many features are skewed.
    public var skewedFeatures: Int { features.filter(\.skewed).count }
    /// Whether any feature is skewed (exit 1, a finding).
    public var skewFound: Bool { skewedFeatures > 0 }

    enum CodingKeys: String, CodingKey {
        case served, project, service, features
        case maxShare = "max_share"
        case skewedFeatures = "skewed_features"
        case skewFound = "skew_found"
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(served, forKey: .served)
        try c.encode(project, forKey: .project)
        try c.encode(service, forKey: .service)
        try c.encode(maxShare, forKey: .maxShare)
        try c.encode(features, forKey: .features)
        try c.encode(skewedFeatures, forKey: .skewedFeatures)
        try c.encode(skewFound, forKey: .skewFound)
    }
}

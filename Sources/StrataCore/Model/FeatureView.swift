/// How a feature's distribution is tested for drift; nil fields take the defaults.
public struct DriftSettings: Sendable, Hashable, Codable {
    public var method: String?
    public var threshold: Double?

    public init(method: String? = nil, threshold: Double? = nil) {
        self.method = method
        self.threshold = threshold
    }

    /// The drift methods a schema may name (Evidently's names); `auto` chooses by type and size as
    /// Evidently's `DataDriftPreset` does.
    public static let methods = ["auto", "ks", "chisquare", "z", "wasserstein", "jensenshannon", "psi", "kl_div", "hellinger"]
}

/// One typed feature of a view; its values live in the source column of the same name.
public struct Feature: Sendable, Hashable, Codable {
    public var name: String
    public var type: ValueType
    public var drift: DriftSettings?

    public init(name: String, type: ValueType, drift: DriftSettings? = nil) {
        self.name = name
        self.type = type
        self.drift = drift
    }
}

/// Features of one or more entities, read from one source.
public struct FeatureView: Sendable, Hashable, Codable {
    public var name: String
    /// Entity names, in order; the view's join keys are theirs.
    public var entities: [String]
    /// The source's name.
    public var source: String
    /// Maximum age of a value, in seconds; 0 means no limit.
    public var ttlSeconds: Int64
    /// Whether the view is materialised into the online store.
    public var online: Bool
    /// Seconds after which online keys expire; nil means never.
    public var onlineExpirySeconds: Int64?
    /// The features; for an aggregation view, one per aggregation.
    public var features: [Feature]
    /// The tile length of an aggregation view, in seconds; nil for other views.
    public var hopSeconds: Int64?
    /// The windowed aggregates of an aggregation view (docs/aggregations.md); nil for other views.
    public var aggregations: [Aggregation]?
    public var description: String?

    public init(
        name: String, entities: [String], source: String, ttlSeconds: Int64, online: Bool = true,
        onlineExpirySeconds: Int64? = nil, features: [Feature], description: String? = nil
    ) {
        self.name = name
        self.entities = entities
        self.source = source
        self.ttlSeconds = ttlSeconds
        self.online = online
        self.onlineExpirySeconds = onlineExpirySeconds
        self.features = features
        self.description = description
    }

    /// The feature named `name`, if the view has it.
    public func feature(named name: String) -> Feature? {
        features.first { $0.name == name }
    }
}

extension FeatureView {
    /// An aggregation view: its features are `aggregations` over the events of its source, in tiles of
    /// `hopSeconds`; it has no ttl and no online expiry (its windows bound the events' age).
    public init(
        name: String, entities: [String], source: String, hopSeconds: Int64, aggregations: [Aggregation],
        online: Bool = true, description: String? = nil
    ) {
        self.init(
            name: name, entities: entities, source: source, ttlSeconds: 0, online: online,
            features: aggregations.map(\.feature), description: description)
        self.hopSeconds = hopSeconds
        self.aggregations = aggregations
    }

    /// Whether the view's features are windowed aggregates.
    public var isAggregation: Bool { aggregations != nil }
}

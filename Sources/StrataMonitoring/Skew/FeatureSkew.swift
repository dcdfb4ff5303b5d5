import StrataCore

/// The training/serving skew of one feature: how its served values compare with the offline
/// point-in-time values of the same entities at the same instants, with examples.
public struct FeatureSkew: Sendable, Encodable {
    /// How a served value disagrees with the offline one.
    public enum Kind: String, Sendable, Hashable, Encodable {
        /// Both sides hold a value and they differ.
        case differ
        /// Offline finds a value; the server answered null, `NOT_FOUND` or `OUTSIDE_MAX_AGE`.
        case missingServed = "missing_served"
        /// The server answered a value; offline finds none (or null).
        case missingOffline = "missing_offline"
    }

    /// One disagreeing row, to look up in the log and the source.
    public struct Example: Sendable, Encodable {
        public var kind: Kind
        public var requestID: String
        public var rowIndex: Int
        /// The instant the value was served as of (ISO-8601), and the offline join's spine time.
        public var asOf: String
        /// The view's join keys and their values.
        public var entities: [String: SkewValue]
        public var served: SkewValue
        public var servedStatus: String
        public var offline: SkewValue

        enum CodingKeys: String, CodingKey {
            case kind, entities, served, offline
            case requestID = "request_id"
            case rowIndex = "row_index"
            case asOf = "as_of"
            case servedStatus = "served_status"
        }
    }

    /// The feature, `view:feature`.
    public var name: String
    /// Its declared type; both sides are read as this type.
    public var type: ValueType
    /// The log rows whose request asked for the feature.
    public var rows: Int
    /// Rows where both sides agree (the same value, or no value on either side).
    public var equal: Int
    public var differ: Int
    public var missingServed: Int
    public var missingOffline: Int
    /// The served statuses of those rows, by Feast's name.
    public var statuses: [String: Int]
    /// Up to the asked number of disagreeing rows, earliest `as_of` first.
    public var examples: [Example]
    /// Whether the disagreeing share exceeds the allowed share.
    public var skewed: Bool

    /// Disagreeing rows: differing or missing on either side.
    public var disagreeing: Int { differ + missingServed + missingOffline }

    /// `count` as a share of `rows`; nil when no row asked for the feature.
    public func share(_ count: Int) -> Double? { rows == 0 ? nil : Double(count) / Double(rows) }

    enum CodingKeys: String, CodingKey {
        case name, type, rows, equal, differ, statuses, examples, skewed
        case missingServed = "missing_served"
        case missingOffline = "missing_offline"
        case differShare = "differ_share"
        case missingServedShare = "missing_served_share"
        case missingOfflineShare = "missing_offline_share"
        case skewShare = "skew_share"
    }

    /// Writes every key, the shares as null when no row asked for the feature.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(type, forKey: .type)
        try c.encode(rows, forKey: .rows)
        try c.encode(equal, forKey: .equal)
        try c.encode(differ, forKey: .differ)
        try c.encode(missingServed, forKey: .missingServed)
        try c.encode(missingOffline, forKey: .missingOffline)
        try c.encode(share(differ), forKey: .differShare)
        try c.encode(share(missingServed), forKey: .missingServedShare)
        try c.encode(share(missingOffline), forKey: .missingOfflineShare)
        try c.encode(share(disagreeing), forKey: .skewShare)
        try c.encode(skewed, forKey: .skewed)
        try c.encode(statuses, forKey: .statuses)
        try c.encode(examples, forKey: .examples)
    }
}

/// The status of one looked-up value, with Feast's names.
public enum FeatureStatus: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// The entity has a value for the feature.
    case present
    /// The entity's latest row holds null for the feature.
    case nullValue
    /// The online store holds nothing for the entity at the lookup time: no record, a record of another
    /// layout, an expired one, or one whose event time is after the lookup time.
    case notFound
    /// The entity's latest value is older than the view's ttl at lookup time; the value is null.
    case outsideMaxAge

    /// Feast's name: `PRESENT`, `NULL_VALUE`, `NOT_FOUND`, `OUTSIDE_MAX_AGE`.
    public var description: String {
        switch self {
        case .present: "PRESENT"
        case .nullValue: "NULL_VALUE"
        case .notFound: "NOT_FOUND"
        case .outsideMaxAge: "OUTSIDE_MAX_AGE"
        }
    }
}

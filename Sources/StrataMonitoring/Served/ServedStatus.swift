import StrataColumnar

/// The status a served value was logged with (the served-feature log's `statuses`, Feast's names),
/// or `absent` when the row's request did not ask for the feature.
///
/// Monitoring reads the log by its documented layout (docs/served-feature-log.md) rather than
/// through the online store's types, so that the module table's arrows keep pointing one way.
public enum ServedStatus: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// The request did not ask for the feature.
    case absent
    /// `PRESENT`: the online store held a value.
    case present
    /// `NULL_VALUE`: the entity's latest row holds null.
    case nullValue
    /// `NOT_FOUND`: nothing for the entity at the lookup time.
    case notFound
    /// `OUTSIDE_MAX_AGE`: the latest value was older than the view's ttl; served as null.
    case outsideMaxAge

    /// The logged name; `absent` for a feature the request did not ask for.
    public var description: String {
        switch self {
        case .absent: "absent"
        case .present: "PRESENT"
        case .nullValue: "NULL_VALUE"
        case .notFound: "NOT_FOUND"
        case .outsideMaxAge: "OUTSIDE_MAX_AGE"
        }
    }

    /// The statuses of a text column as read from the log: null is `absent`; nil when a row holds
    /// a name the log does not document, with that row.
    /// - Complexity: O(rows), comparing bytes in place.
    static func decode(_ column: Column) -> (statuses: [ServedStatus], unknownRow: Int?) {
        var statuses = [ServedStatus](repeating: .absent, count: column.count)
        var unknown: Int?
        column.withStringStorage { bytes, offsets in
            for row in 0..<column.count where column.isValid(row) {
                let text = UnsafeBufferPointer(rebasing: bytes[offsets[row]..<offsets[row + 1]])
                if let status = Self.named(text) {
                    statuses[row] = status
                } else if unknown == nil {
                    unknown = row
                }
            }
        }
        return (statuses, unknown)
    }

    private static let names: [(bytes: [UInt8], status: ServedStatus)] = [ServedStatus.present, .nullValue, .notFound, .outsideMaxAge]
        .map { (Array($0.description.utf8), $0) }

    private static func named(_ text: UnsafeBufferPointer<UInt8>) -> ServedStatus? {
        names.first { $0.bytes.count == text.count && $0.bytes.elementsEqual(text) }?.status
    }
}

import StrataColumnar

/// The range of event timestamps a view must be read over to answer every spine row:
/// up to the latest spine time, and from the earliest spine time minus the ttl (no lower bound
/// when the ttl is 0).
struct ExtractionWindow: Sendable, Hashable {
    var lower: Int64?
    var upper: Int64

    init(spineTimes: [Int64], ttlSeconds: Int64) {
        var lo = Int64.max
        var hi = Int64.min
        for t in spineTimes {
            lo = Swift.min(lo, t)
            hi = Swift.max(hi, t)
        }
        upper = hi
        lower = ttlSeconds > 0 ? lo - ttlSeconds * UTCTimestamp.microsPerSecond : nil
    }

    /// A SQL condition on `column` (already quoted). The bounds are timestamps Strata formats itself
    /// (digits and separators only), so they are written as literals: COPY takes no parameters.
    func condition(on column: String) -> String {
        var parts = ["\(column) <= '\(UTCTimestamp.format(upper))'::timestamptz"]
        if let lower { parts.append("\(column) >= '\(UTCTimestamp.format(lower))'::timestamptz") }
        return parts.joined(separator: " AND ")
    }
}

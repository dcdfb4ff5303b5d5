import StrataColumnar

/// The range of event timestamps a view must be read over to answer every spine row:
/// up to the latest spine time, and from the earliest spine time minus the ttl (no lower bound
/// when the ttl is 0).
///
/// The window only narrows what is read: the join itself applies the ttl to every row. So a bound
/// that PostgreSQL could not take as a literal (before 0001-01-01, or a saturated time) is left out
/// instead of failing the query.
struct ExtractionWindow: Sendable, Hashable {
    var lower: Int64?
    var upper: Int64?

    /// The first instant that `UTCTimestamp.format` writes as PostgreSQL reads it: 0001-01-01T00:00:00Z
    /// (year 0 and earlier need PostgreSQL's `BC` syntax).
    static let earliestLiteral = UTCTimestamp.days(year: 1, month: 1, day: 1) * 86_400 * UTCTimestamp.microsPerSecond

    init(spineTimes: [Int64], ttlSeconds: Int64) {
        var lo = Int64.max
        var hi = Int64.min
        for t in spineTimes {
            lo = Swift.min(lo, t)
            hi = Swift.max(hi, t)
        }
        upper = Self.literal(hi)
        lower = ttlSeconds > 0
            ? Self.literal(UTCTimestamp.subtracting(UTCTimestamp.micros(seconds: ttlSeconds), from: lo)) : nil
    }

    /// `micros` when it can be written as a literal PostgreSQL reads, else nil (no bound).
    private static func literal(_ micros: Int64) -> Int64? {
        micros >= earliestLiteral && micros < .max ? micros : nil
    }

    /// A SQL condition on `column` (already quoted). The bounds are timestamps Strata formats itself
    /// (digits and separators only), so they are written as literals: COPY takes no parameters.
    func condition(on column: String) -> String {
        var parts: [String] = []
        if let upper { parts.append("\(column) <= '\(UTCTimestamp.format(upper))'::timestamptz") }
        if let lower { parts.append("\(column) >= '\(UTCTimestamp.format(lower))'::timestamptz") }
        return parts.isEmpty ? "true" : parts.joined(separator: " AND ")
    }
}

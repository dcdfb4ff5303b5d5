/// An aggregate over the events of a window (docs/aggregations.md). Nulls of the column are skipped,
/// as SQL aggregates skip them.
public enum WindowFunction: String, Sendable, Hashable, Codable, CaseIterable {
    /// The number of events (`column: "*"`) or of non-null values of the column; 0 for none.
    case count
    /// The sum of the values, in float64; null when there are none.
    case sum
    /// The arithmetic mean of the values; null when there are none.
    case mean
    /// The smallest value; null when there are none.
    case min
    /// The largest value; null when there are none.
    case max
    /// The value of the latest event (by event time, then created time, then the larger value);
    /// null when there are none.
    case last
    /// The population standard deviation of the values; null when there are none.
    case stddev

    /// Whether the function reads the column's values as numbers (and so needs a numeric column).
    public var isArithmetic: Bool { self == .sum || self == .mean || self == .stddev }
}

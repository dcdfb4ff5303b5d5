/// The physical type of a column's values.
///
/// `timestamp` values are `Int64` microseconds since the Unix epoch, UTC.
public enum ColumnType: String, Sendable, Hashable, CaseIterable {
    /// 64-bit IEEE floating point.
    case float64
    /// 32-bit IEEE floating point.
    case float32
    /// 64-bit signed integer.
    case int64
    /// 32-bit signed integer.
    case int32
    /// Boolean.
    case bool
    /// UTF-8 text.
    case string
    /// Microseconds since the Unix epoch, UTC, as `Int64`.
    case timestamp

    /// Whether the values convert to `Double` (every type but `string`).
    public var isNumeric: Bool { self != .string }
}

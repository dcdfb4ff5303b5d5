import StrataColumnar

/// How a column is tested: as numbers or as categories (Evidently's column types; Evidently's
/// `text` columns are tested as categorical here).
public enum ColumnKind: String, Sendable, Hashable, Codable {
    case numerical
    case categorical

    /// Integer columns with at most this many distinct values in the current window are
    /// categorical (Evidently's `INTEGER_CARDINALITY_LIMIT`).
    public static let integerCardinalityLimit = 10

    /// The kind Evidently infers from the current window for a column of `type`: floats are
    /// numerical; integers categorical when they take at most 10 distinct values, else numerical;
    /// bools and strings categorical. Timestamps are not tested (nil), as in `DataDriftPreset`.
    /// - Complexity: O(count) for integer columns, with an early exit at 11 distinct values.
    public static func infer(_ type: ColumnType, current: Column) -> ColumnKind? {
        switch type {
        case .float64, .float32: return .numerical
        case .bool, .string: return .categorical
        case .timestamp: return nil
        case .int64, .int32:
            var seen = Set<Int64>()
            for row in 0..<current.count where current.isValid(row) {
                let value = type == .int64 ? current.int64Values[row] : Int64(current.int32Values[row])
                if seen.insert(value).inserted && seen.count > integerCardinalityLimit { return .numerical }
            }
            return .categorical
        }
    }
}

import StrataColumnar

/// Brings a column's two windows to one type, as pandas does when it concatenates them: integers
/// widen to int64, integers and floats meet in float64, anything with text becomes text.
enum ColumnPromotion {
    /// The common type of the two windows, or nil when they cannot meet (a timestamp and a number).
    static func commonType(_ a: ColumnType, _ b: ColumnType) -> ColumnType? {
        if a == b { return a }
        if a == .string || b == .string { return .string }
        if a == .timestamp || b == .timestamp { return nil }
        let integers: Set<ColumnType> = [.int32, .int64, .bool]
        if integers.contains(a) && integers.contains(b) { return .int64 }
        return .float64
    }

    /// `column` as `type` (one of the results of `commonType`), nulls kept.
    /// - Complexity: O(count).
    static func convert(_ column: Column, to type: ColumnType) -> Column {
        if column.type == type { return column }
        var builder = ColumnBuilder(type: type, capacity: column.count)
        for row in 0..<column.count {
            guard column.isValid(row) else {
                builder.appendNull()
                continue
            }
            switch type {
            case .int64: builder.append(Int64(column.double(at: row) ?? 0))
            case .float64: builder.append(column.double(at: row) ?? 0)
            case .string: builder.appendString(text(column, row))
            default: builder.appendNull()
            }
        }
        return builder.finish()
    }

    private static func text(_ column: Column, _ row: Int) -> String {
        switch column.storage {
        case .int64(let v), .timestamp(let v): String(v[row])
        case .int32(let v): String(v[row])
        case .float64(let v): String(v[row])
        case .float32(let v): String(v[row])
        case .bool(let v): v[row] ? "True" : "False"
        case .string: column.string(at: row) ?? ""
        }
    }
}

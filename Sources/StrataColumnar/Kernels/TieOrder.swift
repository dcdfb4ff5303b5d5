/// The total order that ranks rows tied on join key, event time and created time, so that the winner of a
/// point-in-time join depends on the rows' values only, never on the order they are read in.
///
/// Rows compare value by value, in the order of the columns given (a feature view's declaration order), the
/// first difference deciding; the greater row wins. Per value: null below every value; numbers by value, with
/// NaN above every number and equal to NaN, and -0.0 equal to 0.0 (PostgreSQL's order for `float8` and
/// `float4`); false below true; strings by their UTF-8 bytes (PostgreSQL's `"C"` collation); timestamps by
/// time. PostgreSQL sorts the same way with `expression DESC NULLS LAST` (strings with `COLLATE "C"`), so
/// the joins done in PostgreSQL choose the same row.
public enum TieOrder {
    /// -1, 0 or 1 as `a` ranks below, with or above `b`.
    @inline(__always)
    public static func compare<T: Comparable>(_ a: T, _ b: T) -> Int {
        a < b ? -1 : (b < a ? 1 : 0)
    }

    /// As `compare`, with NaN above every number and equal to NaN, and -0.0 equal to 0.0.
    @inline(__always)
    public static func compare<T: BinaryFloatingPoint>(_ a: T, _ b: T) -> Int {
        if a.isNaN || b.isNaN { return (a.isNaN ? 1 : 0) - (b.isNaN ? 1 : 0) }
        return a < b ? -1 : (b < a ? 1 : 0)
    }

    /// -1, 0 or 1 as the bytes `a` rank below, with or above `b` (shorter first when one is a prefix).
    public static func compare(_ a: ArraySlice<UInt8>, _ b: ArraySlice<UInt8>) -> Int {
        for (x, y) in zip(a, b) where x != y { return x < y ? -1 : 1 }
        return compare(a.count, b.count)
    }

    /// -1, 0 or 1 as row `i` of `a` ranks below, with or above row `j` of `b`; the columns have one type.
    public static func compare(_ a: Column, _ i: Int, _ b: Column, _ j: Int) -> Int {
        precondition(a.type == b.type, "Tied rows are compared within one column type, got \(a.type) and \(b.type)")
        let aValid = a.isValid(i), bValid = b.isValid(j)
        guard aValid && bValid else { return (aValid ? 1 : 0) - (bValid ? 1 : 0) }
        switch (a.storage, b.storage) {
        case (.float64(let x), .float64(let y)): return compare(x[i], y[j])
        case (.float32(let x), .float32(let y)): return compare(x[i], y[j])
        case (.int64(let x), .int64(let y)), (.timestamp(let x), .timestamp(let y)): return compare(x[i], y[j])
        case (.int32(let x), .int32(let y)): return compare(x[i], y[j])
        case (.bool(let x), .bool(let y)): return compare(x[i] ? 1 : 0, y[j] ? 1 : 0)
        case (.string(let x, let xo), .string(let y, let yo)): return compare(x[xo[i]..<xo[i + 1]], y[yo[j]..<yo[j + 1]])
        default: return 0
        }
    }

    /// -1, 0 or 1 as row `i` ranks below, with or above row `j` over `columns`, the first difference deciding.
    /// - Complexity: O(columns) plus the bytes of compared strings.
    public static func compare(_ columns: [Column], _ i: Int, _ j: Int) -> Int {
        for column in columns {
            let order = compare(column, i, column, j)
            if order != 0 { return order }
        }
        return 0
    }
}

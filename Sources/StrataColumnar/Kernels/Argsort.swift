/// Stable sort permutations of columns.
public enum Argsort {
    /// The stable permutation ordering rows by `keys` lexicographically, each key ascending or
    /// descending, nulls last in both directions.
    ///
    /// Numbers order numerically (NaN counts as null), `bool` false before true, strings by their
    /// UTF-8 bytes (code point order, as PostgreSQL's `C` collation). Rows equal on every key
    /// keep their input order.
    /// - Complexity: O(n × b) for n rows and b non-constant key bytes (a radix sort), plus
    ///   O(n log n) comparisons to rank each string key.
    public static func indices(by keys: [SortKey]) -> [Int] {
        precondition(!keys.isEmpty, "Argsort needs at least one key")
        let n = keys[0].column.count
        var components: [[UInt64]] = []
        for key in keys {
            precondition(key.column.count == n, "Sort keys differ in length: \(key.column.count) and \(n)")
            let (values, nulls) = orderKeys(key)
            if let nulls { components.append(nulls) }
            components.append(values)
        }
        return RadixSort.permutation(count: n, components: components)
    }

    /// The stable permutation ordering rows by (`key`, `time`, `created`), all ascending: the
    /// order an as-of join reads its build side in.
    ///
    /// When the keys span a range not much larger than the row count (dense codes from
    /// `KeyEncoder`), rows are bucketed by key with a counting sort and each bucket is sorted by
    /// time and created on all cores; otherwise the rows are sorted as packed structs.
    /// - Complexity: O(n + k + Σ b log b) for k key values and buckets of b rows; O(n log n)
    ///   for sparse keys.
    public static func indices(key: [Int64], time: [Int64], created: [Int64]) -> [Int] {
        let n = key.count
        precondition(time.count == n && created.count == n, "Sort columns differ in length")
        precondition(n < Int(UInt32.max), "Too many rows to sort: \(n)")
        if n == 0 { return [] }
        let low = key.min()!
        let high = key.max()!
        let (span, overflow) = high.subtractingReportingOverflow(low)
        if !overflow && span < Int64(2 * n + 1024) {
            let codes = key.map { $0 &- low }
            var (starts, rows) = codes.withUnsafeBufferPointer { k in
                time.withUnsafeBufferPointer { t in
                    created.withUnsafeBufferPointer { c in
                        KeyedTimeSort.bucket(
                            keys: k, keyCount: Int(span) + 1, times: t, timeValidity: nil,
                            created: c, createdValidity: nil)
                    }
                }
            }
            rows.withUnsafeMutableBufferPointer { r in
                KeyedTimeSort.sortBuckets(r, starts: starts)
            }
            return rows.map { Int($0.index) }
        }
        var rows = (0..<n).map { i in
            (key: key[i], row: TimedRow(time: time[i], created: created[i], index: UInt32(i), hasCreated: true))
        }
        rows.sort { $0.key != $1.key ? $0.key < $1.key : KeyedTimeSort.less($0.row, $1.row) }
        return rows.map { Int($0.row.index) }
    }

    /// Order-preserving `UInt64` keys for one sort key, and null flags (1 = null) when it has nulls.
    private static func orderKeys(_ key: SortKey) -> (values: [UInt64], nulls: [UInt64]?) {
        let column = key.column
        let n = column.count
        var values: [UInt64]
        var isNull = (0..<n).map { column.isNull($0) }
        switch column.storage {
        case .float64(let v):
            values = v.map(orderKey)
            for i in 0..<n where v[i].isNaN { isNull[i] = true }
        case .float32(let v):
            values = v.map { orderKey(Double($0)) }
            for i in 0..<n where v[i].isNaN { isNull[i] = true }
        case .int64(let v), .timestamp(let v): values = v.map(orderKey)
        case .int32(let v): values = v.map { orderKey(Int64($0)) }
        case .bool(let v): values = v.map { $0 ? 1 : 0 }
        case .string: values = stringRanks(column)
        }
        let hasNulls = isNull.contains(true)
        for i in 0..<n {
            if isNull[i] {
                values[i] = 0
            } else if key.descending {
                values[i] = ~values[i]
            }
        }
        return (values, hasNulls ? isNull.map { $0 ? 1 : 0 } : nil)
    }

    /// Integers in unsigned order: flip the sign bit.
    private static func orderKey(_ value: Int64) -> UInt64 {
        UInt64(bitPattern: value) ^ (1 << 63)
    }

    /// Floats in unsigned order (-0.0 and 0.0 alike), as the float radix sort orders them.
    private static func orderKey(_ value: Double) -> UInt64 { FloatRadixSort.key(of: value) }

    /// The dense rank of each row's bytes among the distinct values (0 under nulls).
    private static func stringRanks(_ column: Column) -> [UInt64] {
        var ranks = [UInt64](repeating: 0, count: column.count)
        column.withStringStorage { bytes, offsets in
            var order = (0..<column.count).filter { column.isValid($0) }
            order.sort { compareBytes(bytes, offsets, $0, $1) < 0 }
            var rank: UInt64 = 0
            for (position, row) in order.enumerated() {
                if position > 0 && compareBytes(bytes, offsets, order[position - 1], row) != 0 { rank += 1 }
                ranks[row] = rank
            }
        }
        return ranks
    }

    /// The sign of the byte-wise comparison of strings `a` and `b`.
    @inline(__always)
    private static func compareBytes(
        _ bytes: UnsafeBufferPointer<UInt8>, _ offsets: UnsafeBufferPointer<Int>, _ a: Int, _ b: Int
    ) -> Int {
        let aStart = offsets[a]
        let bStart = offsets[b]
        let aLength = offsets[a + 1] - aStart
        let bLength = offsets[b + 1] - bStart
        for k in 0..<Swift.min(aLength, bLength) {
            let x = bytes[aStart + k]
            let y = bytes[bStart + k]
            if x != y { return x < y ? -1 : 1 }
        }
        return aLength == bLength ? 0 : (aLength < bLength ? -1 : 1)
    }
}

extension Column {
    /// The stable permutation sorting this column, nulls (and NaN) last.
    /// - Complexity: O(n × b) for b non-constant key bytes.
    public func argsort(descending: Bool = false) -> [Int] {
        Argsort.indices(by: [SortKey(self, descending: descending)])
    }
}

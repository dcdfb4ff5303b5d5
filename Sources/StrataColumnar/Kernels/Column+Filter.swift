extension Column {
    /// The rows where `mask` is true, in order.
    /// - Complexity: O(count) to collect the rows, then as `take(indices:)`.
    public func filter(mask: [Bool]) -> Column {
        take(indices: Column.selectedRows(mask, count: count))
    }

    /// The row numbers where `mask` is true; `mask` must have `count` elements.
    static func selectedRows(_ mask: [Bool], count: Int) -> [Int] {
        precondition(mask.count == count, "Mask of \(mask.count) rows for \(count) rows")
        var rows: [Int] = []
        mask.withUnsafeBufferPointer { m in
            var selected = 0
            for bit in m where bit { selected += 1 }
            rows.reserveCapacity(selected)
            for i in 0..<m.count where m[i] { rows.append(i) }
        }
        return rows
    }
}

extension Frame {
    /// Every column gathered by `indices`; an index of -1 gives a null row.
    /// - Complexity: O(m × columns) for m indices.
    public func take(indices: [Int]) -> Frame {
        Frame(names: names, columns: columns.map { $0.take(indices: indices) }, rowCount: indices.count)
    }

    /// The rows where `mask` is true, in order.
    /// - Complexity: O(rowCount × columns).
    public func filter(mask: [Bool]) -> Frame {
        take(indices: Column.selectedRows(mask, count: rowCount))
    }
}

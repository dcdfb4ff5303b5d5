import StrataColumnar

/// One column's two windows made ready for testing: numbers sorted once, with nulls, NaN and
/// infinities dropped; text counted per category over a dictionary shared by both windows.
struct PreparedColumn {
    let type: ColumnType
    let referenceRows: Int
    let currentRows: Int
    /// Sorted finite values, for every type but text.
    let sortedReference: [Double]?
    let sortedCurrent: [Double]?
    /// Category counts of text columns.
    let textCounts: CategoryCounts?

    /// - Complexity: O(n) per window (radix sort, or one hash-table pass for text).
    init(reference: Column, current: Column) {
        type = reference.type
        referenceRows = reference.count
        currentRows = current.count
        if type == .string {
            sortedReference = nil
            sortedCurrent = nil
            textCounts = Self.countText(reference, current)
        } else {
            sortedReference = reference.sortedFiniteValues()
            sortedCurrent = current.sortedFiniteValues()
            textCounts = nil
        }
    }

    /// Whether the values are integers (NumPy's bin width is then at least 1).
    var isInteger: Bool { type == .int64 || type == .int32 || type == .timestamp }

    var referenceCount: Int { sortedReference?.count ?? textCounts?.referenceTotal ?? 0 }
    var currentCount: Int { sortedCurrent?.count ?? textCounts?.currentTotal ?? 0 }

    /// The category counts: text as counted, numbers by their distinct values.
    /// - Complexity: O(m + n) for numbers.
    func counts() -> CategoryCounts {
        if let textCounts { return textCounts }
        let type = self.type
        return CategoryCounts(sortedReference: sortedReference ?? [], sortedCurrent: sortedCurrent ?? []) { x in
            switch type {
            case .bool: .bool(x != 0)
            case .int64, .int32, .timestamp: Int64(exactly: x).map(CategoryLabel.integer) ?? .number(x)
            default: .number(x)
            }
        }
    }

    /// The number of distinct values over both windows, counting no further than `limit`.
    func distinctCount(limit: Int) -> Int {
        if let textCounts { return textCounts.labels.count }
        return DriftStatistics.distinctCount(sortedReference ?? [], sortedCurrent ?? [], limit: limit)
    }

    /// The distinct values of both windows, ascending.
    func distinctValues() -> [Double] {
        counts().labels.map { label in
            switch label {
            case .number(let x): x
            case .integer(let x): Double(x)
            case .bool(let x): x ? 1 : 0
            case .string: .nan
            }
        }
    }

    private static func countText(_ reference: Column, _ current: Column) -> CategoryCounts {
        var encoder = KeyEncoder()
        let referenceCodes = encoder.encode(reference)
        let currentCodes = encoder.encode(current)
        let categories = encoder.keyCount
        var referenceCounts = [Int](repeating: 0, count: categories)
        var currentCounts = [Int](repeating: 0, count: categories)
        var labels = [String?](repeating: nil, count: categories)
        for (row, code) in referenceCodes.enumerated() where code >= 0 {
            referenceCounts[Int(code)] += 1
            if labels[Int(code)] == nil { labels[Int(code)] = reference.string(at: row) }
        }
        for (row, code) in currentCodes.enumerated() where code >= 0 {
            currentCounts[Int(code)] += 1
            if labels[Int(code)] == nil { labels[Int(code)] = current.string(at: row) }
        }
        let named = labels.map { CategoryLabel.string($0 ?? "") }
        let order = named.indices.sorted { named[$0] < named[$1] }
        return CategoryCounts(
            labels: order.map { named[$0] }, reference: order.map { referenceCounts[$0] },
            current: order.map { currentCounts[$0] })
    }
}

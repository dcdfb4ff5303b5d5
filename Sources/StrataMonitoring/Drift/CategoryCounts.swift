/// How often each category occurs in the reference and the current window, categories in
/// ascending order (every category seen in either window).
struct CategoryCounts: Sendable {
    var labels: [CategoryLabel]
    var reference: [Int]
    var current: [Int]

    /// The number of values in the reference window.
    var referenceTotal: Int { reference.reduce(0, +) }
    /// The number of values in the current window.
    var currentTotal: Int { current.reduce(0, +) }

    /// The counts of the distinct values of two sorted samples, by one merge.
    /// - Complexity: O(m + n).
    init(sortedReference a: [Double], sortedCurrent b: [Double], label: (Double) -> CategoryLabel) {
        var labels: [CategoryLabel] = []
        var reference: [Int] = []
        var current: [Int] = []
        var i = 0
        var j = 0
        while i < a.count || j < b.count {
            let value = j == b.count || (i < a.count && a[i] <= b[j]) ? a[i] : b[j]
            var r = 0
            var c = 0
            while i < a.count && a[i] == value {
                r += 1
                i += 1
            }
            while j < b.count && b[j] == value {
                c += 1
                j += 1
            }
            labels.append(label(value))
            reference.append(r)
            current.append(c)
        }
        self.labels = labels
        self.reference = reference
        self.current = current
    }

    init(labels: [CategoryLabel], reference: [Int], current: [Int]) {
        self.labels = labels
        self.reference = reference
        self.current = current
    }
}

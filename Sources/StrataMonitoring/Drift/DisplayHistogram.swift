/// Both windows of one column counted in the same bins, for drawing side by side.
public struct DisplayHistogram: Sendable, Hashable, Codable {
    /// Bin edges for numbers (`bins + 1` of them); empty for categories.
    public var edges: [Double]
    /// Category names for categories (the last may be "other"); empty for numbers.
    public var labels: [String]
    public var reference: [Int]
    public var current: [Int]

    /// The number of bars.
    public var bins: Int { reference.count }

    /// At most this many categories are drawn; the rest are summed as "other".
    static let maximumCategories = 12

    /// Numbers: equal-width bins over both windows, about Sturges' count but 10 to 40 of them;
    /// integers spanning fewer than 40 values get one bin each.
    init(sortedReference a: [Double], sortedCurrent b: [Double], integer: Bool) {
        let low = Swift.min(a.first ?? .infinity, b.first ?? .infinity)
        let high = Swift.max(a.last ?? -.infinity, b.last ?? -.infinity)
        let edges: [Double]
        if !low.isFinite || !high.isFinite {
            edges = [0, 1]
        } else if !(high - low).isFinite {
            edges = [low, high]
        } else if integer && high - low < 40 {
            edges = BinEdges.linspace(low - 0.5, high + 0.5, bins: Int(high - low) + 1)
        } else {
            let sturges = BinEdges.sturges(low: low, high: high, count: a.count + b.count, integer: integer)
            let bins = Swift.min(Swift.max(sturges.count - 1, 10), 40)
            edges = low == high ? sturges : BinEdges.linspace(low, high, bins: bins)
        }
        self.edges = edges
        labels = []
        reference = BinEdges.counts(a, edges: edges)
        current = BinEdges.counts(b, edges: edges)
    }

    /// Categories: all of them in their order when there are few, else the most frequent over
    /// both windows and the rest summed as "other".
    init(counts: CategoryCounts) {
        var order = Array(counts.labels.indices)
        if order.count > Self.maximumCategories {
            order.sort {
                let x = counts.reference[$0] + counts.current[$0]
                let y = counts.reference[$1] + counts.current[$1]
                return x != y ? x > y : counts.labels[$0] < counts.labels[$1]
            }
        }
        let shown = order.prefix(Self.maximumCategories)
        edges = []
        labels = shown.map { counts.labels[$0].description }
        reference = shown.map { counts.reference[$0] }
        current = shown.map { counts.current[$0] }
        if order.count > shown.count {
            let rest = order.dropFirst(shown.count)
            labels.append("other (\(rest.count))")
            reference.append(rest.reduce(0) { $0 + counts.reference[$1] })
            current.append(rest.reduce(0) { $0 + counts.current[$1] })
        }
    }
}

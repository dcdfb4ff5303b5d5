/// What is kept of one column in one window: statistics that merge exactly, so that the profile
/// of a week is the merge of its days' profiles.
public struct ColumnProfile: Sendable, Hashable, Codable {
    /// One category and how often it occurred.
    public struct Category: Sendable, Hashable, Codable {
        public var value: CategoryLabel
        public var count: Int
    }

    public var kind: ColumnKind
    /// The rows read.
    public var rows: Int
    /// The values kept (rows less nulls and, for numbers, NaN and infinities).
    public var count: Int
    public var min: Double?
    public var max: Double?
    public var mean: Double?
    /// The sum of squared deviations from the mean (Chan et al.'s M2), for the variance.
    public var squaredDeviations: Double?
    /// Numbers: a data-independent histogram whose bins carry their edges.
    public var sketch: ValueSketch?
    /// Categories: every category's count, in ascending order of value.
    public var categories: [Category]?

    enum CodingKeys: String, CodingKey {
        case kind, rows, count, min, max, mean, sketch, categories
        case squaredDeviations = "squared_deviations"
    }

    /// The profile of a sorted numerical sample out of `rows` rows.
    /// - Complexity: O(n).
    public init(sorted values: [Double], rows: Int) {
        kind = .numerical
        self.rows = rows
        count = values.count
        sketch = ValueSketch(sorted: values)
        guard !values.isEmpty else { return }
        min = values[0]
        max = values[values.count - 1]
        var total = 0.0
        for x in values { total += x }
        let mean = total / Double(values.count)
        var squares = 0.0
        for x in values { squares += (x - mean) * (x - mean) }
        // Overflowing sums (values near the largest double) are left out rather than stored as
        // infinities, which JSON cannot hold.
        if mean.isFinite && squares.isFinite {
            self.mean = mean
            squaredDeviations = squares
        }
    }

    /// The profile of one window's category counts out of `rows` rows.
    public init(labels: [CategoryLabel], counts: [Int], rows: Int) {
        kind = .categorical
        self.rows = rows
        count = counts.reduce(0, +)
        categories = labels.indices.filter { counts[$0] > 0 }.map { Category(value: labels[$0], count: counts[$0]) }
    }

    /// The number of rows left out.
    public var nulls: Int { rows - count }

    /// The sample standard deviation (ddof 1), nil below two values.
    public var standardDeviation: Double? {
        guard count > 1, let squaredDeviations else { return nil }
        return (squaredDeviations / Double(count - 1)).squareRoot()
    }

    /// This profile and `other` (of the same column and kind) as one: counts and categories
    /// added, extremes combined, mean and M2 by Chan, Golub and LeVeque's pairwise update.
    public func merged(with other: ColumnProfile) -> ColumnProfile {
        var result = self
        result.rows = rows + other.rows
        result.count = count + other.count
        if kind == .numerical {
            result.sketch = (sketch ?? ValueSketch()).merged(with: other.sketch ?? ValueSketch())
            result.min = [min, other.min].compactMap { $0 }.min()
            result.max = [max, other.max].compactMap { $0 }.max()
            switch (mean, other.mean) {
            case (let a?, let b?):
                let n = Double(result.count)
                let delta = b - a
                result.mean = a + delta * Double(other.count) / n
                result.squaredDeviations = (squaredDeviations ?? 0) + (other.squaredDeviations ?? 0)
                    + delta * delta * Double(count) * Double(other.count) / n
            case (nil, _?):
                result.mean = other.mean
                result.squaredDeviations = other.squaredDeviations
            default:
                break
            }
        } else {
            var merged: [CategoryLabel: Int] = [:]
            for category in (categories ?? []) + (other.categories ?? []) { merged[category.value, default: 0] += category.count }
            result.categories = merged.keys.sorted().map { Category(value: $0, count: merged[$0] ?? 0) }
        }
        return result
    }
}

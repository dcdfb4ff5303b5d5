/// Descriptive statistics of one column in one window, for reading beside the test.
public struct ColumnSummary: Sendable, Hashable, Codable {
    /// One frequent category and how often it occurs.
    public struct Frequency: Sendable, Hashable, Codable {
        public var value: CategoryLabel
        public var count: Int
    }

    /// The rows read.
    public var rows: Int
    /// The values tested: rows less nulls (and, for numbers, NaN and infinities).
    public var count: Int
    /// The rows left out: nulls, and for numbers NaN and infinities.
    public var nulls: Int
    public var mean: Double?
    /// The sample standard deviation (ddof 1).
    public var std: Double?
    public var min: Double?
    public var max: Double?
    /// Quantiles by NumPy's linear method, keyed by probability ("0.05" … "0.95").
    public var quantiles: [String: Double]?
    /// The number of distinct categories.
    public var distinct: Int?
    /// The most frequent categories, most frequent first (at most ten).
    public var top: [Frequency]?

    /// The quantile probabilities reported for numerical columns.
    public static let probabilities = [0.05, 0.25, 0.5, 0.75, 0.95]

    /// The summary of a sorted numerical sample out of `rows` rows.
    init(sorted values: [Double], rows: Int) {
        self.rows = rows
        count = values.count
        nulls = rows - values.count
        guard !values.isEmpty else { return }
        var total = 0.0
        for x in values { total += x }
        // Sums of values near the largest double overflow; such statistics are left out (JSON has
        // no infinity) rather than reported wrong.
        let mean = total / Double(values.count)
        self.mean = mean.isFinite ? mean : nil
        if values.count > 1 && mean.isFinite {
            var squares = 0.0
            for x in values { squares += (x - mean) * (x - mean) }
            let std = (squares / Double(values.count - 1)).squareRoot()
            self.std = std.isFinite ? std : nil
        }
        min = values[0]
        max = values[values.count - 1]
        var quantiles: [String: Double] = [:]
        for p in Self.probabilities {
            let h = p * Double(values.count - 1)
            let low = Int(h.rounded(.down))
            let high = Swift.min(low + 1, values.count - 1)
            let value = values[low] + (h - Double(low)) * (values[high] - values[low])
            quantiles[String(p)] = value.isFinite ? value : values[low]
        }
        self.quantiles = quantiles
    }

    /// The summary of one window's category counts out of `rows` rows.
    init(labels: [CategoryLabel], counts: [Int], rows: Int) {
        self.rows = rows
        count = counts.reduce(0, +)
        nulls = rows - count
        distinct = counts.filter { $0 > 0 }.count
        let order = counts.indices.filter { counts[$0] > 0 }.sorted { counts[$0] != counts[$1] ? counts[$0] > counts[$1] : labels[$0] < labels[$1] }
        top = order.prefix(10).map { Frequency(value: labels[$0], count: counts[$0]) }
    }
}

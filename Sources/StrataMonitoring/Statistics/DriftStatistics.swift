import Foundation

/// The drift statistics of Evidently 0.7.23's stattests, on sorted samples or category counts,
/// with Evidently's binning and arithmetic so that the values agree with it to about 1e-12.
enum DriftStatistics {
    /// `ks_2samp(reference, current).pvalue`.
    static func ks(_ reference: [Double], _ current: [Double]) -> (statistic: Double, pValue: Double) {
        reference.withUnsafeBufferPointer { a in
            current.withUnsafeBufferPointer { b in KolmogorovSmirnov.test(a, b) }
        }
    }

    /// `wasserstein_distance(reference, current) / max(std(reference), 0.001)`, the distance
    /// being the area between the two empirical CDFs, found by one merge of the sorted samples.
    ///
    /// Each step's height |i/m − j/n| is kept as the exact integer |i·n − j·m| and divided by m·n
    /// once at the end; the merge picks without branches (random interleaving would mispredict
    /// every other one) and sums in blocks, which bounds the rounding error by about 1e-13.
    /// - Complexity: O(m + n).
    static func wasserstein(_ reference: [Double], _ current: [Double]) -> Double {
        let m = reference.count
        let n = current.count
        guard m > 0, n > 0 else { return .nan }
        var total = 0.0
        reference.withUnsafeBufferPointer { a in
            current.withUnsafeBufferPointer { b in
                // Past its end a sample reads as +∞; the loads stay in bounds and compile to selects.
                @inline(__always) func at(_ x: UnsafeBufferPointer<Double>, _ k: Int, _ count: Int) -> Double {
                    let value = x[Swift.min(k, count - 1)]
                    return k < count ? value : .infinity
                }
                var i = 0
                var j = 0
                let mm = Int64(m)
                let nn = Int64(n)
                var value = min(a[0], b[0])
                var remaining = m + n - 1
                while remaining > 0 {
                    let block = min(remaining, 4096)
                    var partial = 0.0
                    for _ in 0..<block {
                        let takeA = at(a, i, m) <= at(b, j, n) ? 1 : 0
                        i += takeA
                        j += 1 - takeA
                        let next = min(at(a, i, m), at(b, j, n))
                        let height = Int64(i) &* nn &- Int64(j) &* mm
                        partial += Double(height < 0 ? -height : height) * (next - value)
                        value = next
                    }
                    total += partial
                    remaining -= block
                }
            }
        }
        return total / (Double(m) * Double(n)) / max(populationStandardDeviation(reference), 0.001)
    }

    /// The standard deviation with ddof 0, by two passes (pandas' `nanstd`).
    static func populationStandardDeviation(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return .nan }
        var total = 0.0
        for x in values { total += x }
        let mean = total / Double(values.count)
        var squares = 0.0
        for x in values { squares += (x - mean) * (x - mean) }
        return (squares / Double(values.count)).squareRoot()
    }

    /// `scipy.stats.chisquare(current counts, reference counts × n_current / n_reference).pvalue`;
    /// a category missing from the reference makes the statistic infinite and the p-value 0.
    static func chiSquare(_ counts: CategoryCounts) -> Double {
        let scale = Double(counts.currentTotal) / Double(counts.referenceTotal)
        var statistic = 0.0
        for k in counts.labels.indices {
            let expected = Double(counts.reference[k]) * scale
            let difference = Double(counts.current[k]) - expected
            statistic += difference * difference / expected
        }
        return SpecialFunctions.chiSquareSurvival(degreesOfFreedom: Double(counts.labels.count - 1), statistic)
    }

    /// Evidently's two-proportion Z-test: 1 when both windows hold one and the same value, else
    /// the two-sided p-value `2 · (1 − Φ(|z|))` of the share of values other than the smallest.
    static func z(_ counts: CategoryCounts) -> Double {
        let referenceDistinct = counts.reference.filter { $0 > 0 }.count
        let currentDistinct = counts.current.filter { $0 > 0 }.count
        if referenceDistinct == 1 && currentDistinct == 1,
           let r = counts.reference.firstIndex(where: { $0 > 0 }), r == counts.current.firstIndex(where: { $0 > 0 })
        {
            return 1
        }
        let n1 = counts.referenceTotal
        let n2 = counts.currentTotal
        let p1 = Double(n1 - counts.reference[0]) / Double(n1)
        let p2 = Double(n2 - counts.current[0]) / Double(n2)
        let pooled = (p1 * Double(n1) + p2 * Double(n2)) / Double(n1 + n2)
        let z = (p1 - p2) / (pooled * (1 - pooled) * (1 / Double(n1) + 1 / Double(n2))).squareRoot()
        return 2 * (1 - SpecialFunctions.normalCDF(abs(z)))
    }

    /// `scipy.spatial.distance.jensenshannon` of the shares (natural logarithm).
    static func jensenShannon(_ p: [Double], _ q: [Double]) -> Double {
        let (p, q) = (normalized(p), normalized(q))
        var left = 0.0
        var right = 0.0
        for k in p.indices {
            let m = (p[k] + q[k]) / 2
            left += relativeEntropy(p[k], m)
            right += relativeEntropy(q[k], m)
        }
        return ((left + right) / 2).squareRoot()
    }

    /// Evidently's PSI: Σ (r − c) · ln(r / c) over zero-filled shares.
    static func psi(_ reference: [Double], _ current: [Double]) -> Double {
        var total = 0.0
        for k in reference.indices { total += (reference[k] - current[k]) * log(reference[k] / current[k]) }
        return total
    }

    /// `scipy.stats.entropy(reference, current)`: the shares normalised, then Σ r · ln(r / c).
    static func klDivergence(_ reference: [Double], _ current: [Double]) -> Double {
        let (p, q) = (normalized(reference), normalized(current))
        var total = 0.0
        for k in p.indices { total += relativeEntropy(p[k], q[k]) }
        return total
    }

    /// Evidently's Hellinger distance of two categorical distributions: √(1 − Σ √(p·q)).
    static func hellinger(_ counts: CategoryCounts) -> Double {
        let n1 = Double(counts.referenceTotal)
        let n2 = Double(counts.currentTotal)
        var overlap = 0.0
        for k in counts.labels.indices {
            overlap += (Double(counts.reference[k]) / n1 * (Double(counts.current[k]) / n2)).squareRoot()
        }
        return (1 - min(max(overlap, 0), 1)).squareRoot()
    }

    /// Evidently's Hellinger distance of two numerical samples: densities over Sturges bins of the
    /// distinct values of both windows, √(1 − Σ √(p·q) · mean bin width).
    static func hellinger(_ reference: [Double], _ current: [Double], distinct: [Double], integer: Bool) -> Double {
        let edges = BinEdges.sturges(low: distinct[0], high: distinct[distinct.count - 1], count: distinct.count, integer: integer)
        func densities(_ sorted: [Double]) -> [Double] {
            let counts = BinEdges.counts(sorted, edges: edges)
            let total = Double(counts.reduce(0, +))
            return counts.indices.map { Double(counts[$0]) / (edges[$0 + 1] - edges[$0]) / total }
        }
        let p = densities(reference)
        let q = densities(current)
        let width = (edges[edges.count - 1] - edges[0]) / Double(edges.count - 1)
        var overlap = 0.0
        for k in p.indices { overlap += (p[k] * q[k]).squareRoot() * width }
        return (1 - min(max(overlap, 0), 1)).squareRoot()
    }

    /// Evidently's `get_binned_data`: the share of each window in each bin, Sturges bins over
    /// both windows for numerical columns whose reference has more than 20 distinct values,
    /// else one bin per category; with `fillZeros`, empty bins get the window's smallest share
    /// ÷ 10⁶ (or 0.0001) so that logarithms stay finite.
    static func binnedShares(
        sortedReference: [Double]?, sortedCurrent: [Double]?, counts: () -> CategoryCounts, integer: Bool, fillZeros: Bool
    ) -> (reference: [Double], current: [Double]) {
        var reference: [Double]
        var current: [Double]
        if let a = sortedReference, let b = sortedCurrent, distinctCount(a, limit: 21) > 20 {
            let edges = BinEdges.sturges(low: min(a[0], b[0]), high: max(a[a.count - 1], b[b.count - 1]), count: a.count + b.count, integer: integer)
            reference = BinEdges.counts(a, edges: edges).map { Double($0) / Double(a.count) }
            current = BinEdges.counts(b, edges: edges).map { Double($0) / Double(b.count) }
        } else {
            let counts = counts()
            let n1 = Double(counts.referenceTotal)
            let n2 = Double(counts.currentTotal)
            reference = counts.reference.map { Double($0) / n1 }
            current = counts.current.map { Double($0) / n2 }
        }
        if fillZeros {
            fill(&reference)
            fill(&current)
        }
        return (reference, current)
    }

    private static func fill(_ shares: inout [Double]) {
        guard let smallest = shares.filter({ $0 != 0 }).min() else { return }
        let replacement = smallest <= 0.0001 ? smallest / 1_000_000 : 0.0001
        for k in shares.indices where shares[k] == 0 { shares[k] = replacement }
    }

    /// The number of distinct values of a sorted sample, counting no further than `limit`.
    static func distinctCount(_ sorted: [Double], limit: Int) -> Int {
        guard !sorted.isEmpty else { return 0 }
        var count = 1
        for i in 1..<sorted.count where sorted[i] != sorted[i - 1] {
            count += 1
            if count >= limit { return count }
        }
        return count
    }

    /// The number of distinct values of two sorted samples together, counting no further than `limit`.
    static func distinctCount(_ a: [Double], _ b: [Double], limit: Int) -> Int {
        var i = 0
        var j = 0
        var count = 0
        while i < a.count || j < b.count {
            let value = j == b.count || (i < a.count && a[i] <= b[j]) ? a[i] : b[j]
            while i < a.count && a[i] == value { i += 1 }
            while j < b.count && b[j] == value { j += 1 }
            count += 1
            if count >= limit { return count }
        }
        return count
    }

    private static func normalized(_ values: [Double]) -> [Double] {
        var total = 0.0
        for x in values { total += x }
        return values.map { $0 / total }
    }

    /// scipy's `rel_entr(x, y)`: x · ln(x / y), 0 at x = 0.
    private static func relativeEntropy(_ x: Double, _ y: Double) -> Double {
        if x > 0 && y > 0 { return x * log(x / y) }
        if x == 0 && y >= 0 { return 0 }
        return .infinity
    }
}

import Foundation

/// Equal-width histogram edges and counts over sorted samples, as NumPy computes them.
enum BinEdges {
    /// NumPy's `histogram_bin_edges(values, bins="sturges")` for values spanning `low...high`
    /// (`count` of them): width `(high − low) / (log2(count) + 1)`, at least 1 for integer data,
    /// `⌈(high − low) / width⌉` bins; a zero span becomes one bin of width 1 around the value.
    static func sturges(low: Double, high: Double, count: Int, integer: Bool) -> [Double] {
        var first = low
        var last = high
        if first == last {
            first -= 0.5
            last += 0.5
        }
        var width = (high - low) / (log2(Double(count)) + 1)
        var bins = 1
        if width != 0 {
            if integer && width < 1 { width = 1 }
            // A span wider than the largest double (−1e308 … 1e308) has no equal-width bins:
            // one bin holds everything, where NumPy would fail.
            let exact = ((last - first) / width).rounded(.up)
            bins = exact.isFinite && exact >= 1 ? Int(min(exact, 1_000_000)) : 1
        }
        return linspace(first, last, bins: bins)
    }

    /// NumPy's `linspace(first, last, bins + 1)`: `first + i · step`, the last edge exactly `last`.
    static func linspace(_ first: Double, _ last: Double, bins: Int) -> [Double] {
        let delta = last - first
        if !delta.isFinite { return [first, last] }
        let step = delta / Double(bins)
        var edges = (0...bins).map { i in
            step == 0 ? Double(i) / Double(bins) * delta + first : Double(i) * step + first
        }
        edges[bins] = last
        return edges
    }

    /// NumPy's `histogram(sorted, edges)[0]`: bin i counts values in `[edges[i], edges[i+1])`, the
    /// last bin also its right edge; values outside the edges are not counted.
    /// - Complexity: O(edges · log n).
    static func counts(_ sorted: [Double], edges: [Double]) -> [Int] {
        let bins = edges.count - 1
        var cumulative = [Int](repeating: 0, count: edges.count)
        for (i, edge) in edges.enumerated() {
            cumulative[i] = i == bins ? upperBound(sorted, edge) : lowerBound(sorted, edge)
        }
        return (0..<bins).map { cumulative[$0 + 1] - cumulative[$0] }
    }

    /// The number of values below `x`.
    static func lowerBound(_ sorted: [Double], _ x: Double) -> Int {
        var low = 0
        var high = sorted.count
        while low < high {
            let middle = (low + high) / 2
            if sorted[middle] < x { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// The number of values at or below `x`.
    static func upperBound(_ sorted: [Double], _ x: Double) -> Int {
        var low = 0
        var high = sorted.count
        while low < high {
            let middle = (low + high) / 2
            if sorted[middle] <= x { low = middle + 1 } else { high = middle }
        }
        return low
    }
}

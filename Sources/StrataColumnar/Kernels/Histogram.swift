/// Counts of a numeric column's values in fixed bins.
///
/// Bin `i` holds values in `edges[i] ..< edges[i + 1]`; the last bin also holds `edges.last`
/// (NumPy's convention). Values outside the edges, NaN values and nulls are counted apart.
public struct Histogram: Sendable, Hashable {
    /// The bin edges, strictly increasing, at least two.
    public let edges: [Double]
    /// The number of values per bin, `edges.count - 1` of them.
    public let counts: [Int]
    /// The number of null rows.
    public let nullCount: Int
    /// The number of NaN values.
    public let nanCount: Int
    /// The number of values below `edges.first`.
    public let belowCount: Int
    /// The number of values above `edges.last`.
    public let aboveCount: Int

    /// The number of values inside the bins.
    public var binnedCount: Int { counts.reduce(0, +) }
}

extension Histogram {
    /// A histogram from per-chunk tallies laid end to end, each the bin counts, then the below,
    /// above and NaN counts; the chunks are added in order.
    init(edges: [Double], chunkTallies partials: [Int], nullCount: Int) {
        let bins = edges.count - 1
        let width = bins + 3
        var total = [Int](repeating: 0, count: width)
        for chunk in 0..<(partials.count / width) {
            for k in 0..<width { total[k] += partials[chunk * width + k] }
        }
        self.init(
            edges: edges, counts: Array(total[0..<bins]), nullCount: nullCount,
            nanCount: total[bins + 2], belowCount: total[bins], aboveCount: total[bins + 1])
    }
}

extension Column {
    /// A histogram of the values over fixed bin edges.
    /// - Complexity: O(count × log(edges.count)); runs on all cores for large columns.
    public func histogram(edges: [Double]) -> Histogram {
        precondition(edges.count >= 2, "A histogram needs at least two edges, got \(edges.count)")
        for i in 1..<edges.count {
            precondition(edges[i - 1] < edges[i], "Histogram edges must increase strictly: \(edges)")
        }
        return Histogram(edges: edges, chunkTallies: visitNumeric(HistogramVisitor(edges: edges)), nullCount: nullCount)
    }
}

/// Per-bin counts, then below, above and NaN counts, one such tally per chunk.
private struct HistogramVisitor: NumericVisitor {
    let edges: [Double]

    func visit<T: NumericElement>(_ values: UnsafeBufferPointer<T>, validity: UnsafeBufferPointer<UInt64>?) -> [Int] {
        let bins = edges.count - 1
        let width = bins + 3
        let ranges = Parallel.chunkRanges(count: values.count, grain: Column.reductionGrain)
        var partials = [Int](repeating: 0, count: width * ranges.count)
        let guide = BinGuide(edges: edges)
        edges.withUnsafeBufferPointer { e in
            guide.bins.withUnsafeBufferPointer { cells in
            partials.withUnsafeMutableBufferPointer { out in
                let shared = UncheckedSendable(value: out)
                Parallel.forEach(Array(ranges.enumerated())) { chunk, range in
                    let counts = shared.value.baseAddress! + chunk * width
                    let first = e[0]
                    let last = e[bins]
                    ValidRows.forEach(values, validity, in: range) { value in
                        let x = value.doubleValue
                        let slot: Int
                        if x >= first && x <= last {
                            slot = bins <= 32 ? countBelow(x, e, bins) : guide.bin(of: x, e, cells)
                        } else if x < first {
                            slot = bins
                        } else if x > last {
                            slot = bins + 1
                        } else {
                            slot = bins + 2
                        }
                        counts[slot] += 1
                    }
                }
            }
            }
        }
        return partials
    }

    /// The bin of `x` (within the edges) by counting the inner edges at or below it, which
    /// beats a search for a few dozen bins. Comparisons are added as bits, not branched on:
    /// random values would mispredict every branch.
    @inline(__always)
    private func countBelow(_ x: Double, _ e: UnsafeBufferPointer<Double>, _ bins: Int) -> Int {
        var bin = 0
        for k in 1..<bins { bin &+= Int(unsafeBitCast(e[k] <= x, to: UInt8.self)) }
        return bin
    }
}

/// A lookup table for many bins: the span of the edges cut into equal cells, each holding the
/// bin of its left end, so that a value's bin is one multiply, one load and a short walk.
private struct BinGuide {
    let first: Double
    let scale: Double
    let bins: [Int]

    init(edges: [Double]) {
        let count = edges.count - 1
        let cells = count <= 32 ? 0 : Swift.min(1 << 16, 4 * count)
        first = edges[0]
        scale = cells == 0 ? 0 : Double(cells) / (edges[count] - edges[0])
        var table = [Int](repeating: 0, count: cells)
        var bin = 0
        for cell in 0..<cells {
            let left = edges[0] + Double(cell) / Double(cells) * (edges[count] - edges[0])
            while bin < count - 1 && edges[bin + 1] <= left { bin += 1 }
            table[cell] = bin
        }
        bins = table
    }

    /// The bin of `x`, which lies within the edges; the walk corrects any rounding in the cell.
    @inline(__always)
    func bin(of x: Double, _ e: UnsafeBufferPointer<Double>, _ cells: UnsafeBufferPointer<Int>) -> Int {
        // Written so that a NaN or huge position (edges spanning almost nothing or everything)
        // falls to the last cell rather than trapping; the walk then finds the bin anyway.
        let position = (x - first) * scale
        var bin = cells[position < Double(cells.count - 1) ? Int(position) : cells.count - 1]
        let last = e.count - 2
        while bin > 0 && x < e[bin] { bin -= 1 }
        while bin < last && x >= e[bin + 1] { bin += 1 }
        return bin
    }
}

extension Column {
    /// A histogram over `binCount` equal-width bins spanning `range` (NumPy's
    /// `histogram(values, bins=binCount, range=(low, high))`): the edges are
    /// `low + i × (high − low) / binCount`, the last being `high`, and a value's bin is found by
    /// one multiplication, then corrected against the edges so that it always agrees with them.
    ///
    /// `float64` columns without nulls take the fast path (four interleaved count arrays, so that
    /// runs of equal bins do not wait on each other); others go through `histogram(edges:)`, which
    /// gives the same counts.
    /// - Complexity: O(count), on all cores for large columns.
    public func histogram(binCount: Int, range: ClosedRange<Double>) -> Histogram {
        precondition(binCount >= 1, "A histogram needs at least one bin, got \(binCount)")
        precondition(range.lowerBound < range.upperBound && range.lowerBound.isFinite && range.upperBound.isFinite,
                     "A histogram range must be finite and not empty, got \(range)")
        let low = range.lowerBound
        let high = range.upperBound
        let step = (high - low) / Double(binCount)
        var edges = (0...binCount).map { low + Double($0) * step }
        edges[binCount] = high
        guard case .float64(let values) = storage, validity == nil else { return histogram(edges: edges) }
        let width = binCount + 3  // bins, then below, above, NaN
        let ranges = Parallel.chunkRanges(count: values.count, grain: Column.reductionGrain)
        var partials = [Int](repeating: 0, count: ranges.count * width)
        let scale = Double(binCount) / (high - low)
        values.withUnsafeBufferPointer { v in
            edges.withUnsafeBufferPointer { e in
                partials.withUnsafeMutableBufferPointer { out in
                    let shared = UncheckedSendable(value: out)
                    Parallel.forEach(Array(ranges.enumerated())) { chunk, rows in
                        UniformHistogram.count(
                            v, rows, edges: e, low: low, high: high, scale: scale, into: shared.value.baseAddress! + chunk * width)
                    }
                }
            }
        }
        return Histogram(edges: edges, chunkTallies: partials, nullCount: 0)
    }
}

enum UniformHistogram {
    /// Adds the counts of `values[rows]` to `out`: `bins` per-bin counts, then below, above, NaN.
    static func count(
        _ values: UnsafeBufferPointer<Double>, _ rows: Range<Int>, edges: UnsafeBufferPointer<Double>, low: Double, high: Double,
        scale: Double, into out: UnsafeMutablePointer<Int>
    ) {
        let bins = edges.count - 1
        let lanes = 4
        let stride = bins + 3
        let counts = UnsafeMutablePointer<Int>.allocate(capacity: lanes * stride)
        defer { counts.deallocate() }
        counts.initialize(repeating: 0, count: lanes * stride)
        let last = bins - 1
        @inline(__always)
        func slot(_ x: Double) -> Int {
            if x >= low && x <= high {
                var bin = Int((x - low) * scale)
                bin = bin > last ? last : bin
                if x < edges[bin] {
                    bin -= 1
                } else if bin < last && x >= edges[bin + 1] {
                    bin += 1
                }
                return bin
            }
            return x < low ? bins : (x > high ? bins + 1 : bins + 2)
        }
        var i = rows.lowerBound
        while i + lanes <= rows.upperBound {
            counts[slot(values[i])] += 1
            counts[stride + slot(values[i + 1])] += 1
            counts[2 * stride + slot(values[i + 2])] += 1
            counts[3 * stride + slot(values[i + 3])] += 1
            i += lanes
        }
        while i < rows.upperBound {
            counts[slot(values[i])] += 1
            i += 1
        }
        for k in 0..<stride {
            out[k] = counts[k] + counts[stride + k] + counts[2 * stride + k] + counts[3 * stride + k]
        }
    }
}

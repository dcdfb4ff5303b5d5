/// A sum that trades the strict left-to-right order of `sum()` for speed: values are added in
/// SIMD lanes and fixed chunks (so the result is the same on every machine and thread count,
/// though it may differ from `sum()` in the last bits), as NumPy's pairwise sum does.
extension Column {
    /// The sum of the values, nulls skipped, 0 when there are none; NaN propagates.
    ///
    /// `float64` columns are summed with 16 independent accumulators per chunk, which vectorises
    /// and hides the latency of each addition; other types fall back to `sum()`.
    /// - Complexity: O(count), on all cores for large columns.
    public func relaxedSum() -> Double {
        guard case .float64(let values) = storage else { return sum() }
        let words = validity?.words
        return values.withUnsafeBufferPointer { v in
            let partials = (words ?? []).withUnsafeBufferPointer { w in
                let mask = words == nil ? nil : w
                return Parallel.mapChunks(count: v.count, grain: Column.reductionGrain) { RelaxedSum.sum(v, mask, $0) }
            }
            var total = 0.0
            for partial in partials { total += partial }
            return total
        }
    }
}

enum RelaxedSum {
    /// The sum of `values[range]` whose validity bit is set; `range` starts on a multiple of 64.
    @inline(__always)
    static func sum(_ values: UnsafeBufferPointer<Double>, _ validity: UnsafeBufferPointer<UInt64>?, _ range: Range<Int>) -> Double {
        let base = UnsafeRawPointer(values.baseAddress!)
        var a = SIMD8<Double>.zero
        var b = SIMD8<Double>.zero
        var i = range.lowerBound
        guard let validity else {
            while i + 16 <= range.upperBound {
                a += base.loadUnaligned(fromByteOffset: i * 8, as: SIMD8<Double>.self)
                b += base.loadUnaligned(fromByteOffset: (i + 8) * 8, as: SIMD8<Double>.self)
                i += 16
            }
            var tail = 0.0
            while i < range.upperBound {
                tail += values[i]
                i += 1
            }
            return (a + b).sum() + tail
        }
        var tail = 0.0
        while i < range.upperBound {
            let end = Swift.min(i + 64, range.upperBound)
            let word = validity[i >> 6]
            if word == ~0 && end - i == 64 {
                for k in stride(from: i, to: end, by: 16) {
                    a += base.loadUnaligned(fromByteOffset: k * 8, as: SIMD8<Double>.self)
                    b += base.loadUnaligned(fromByteOffset: (k + 8) * 8, as: SIMD8<Double>.self)
                }
            } else {
                var bits = word
                if end - i < 64 { bits &= (1 << UInt64(end - i)) &- 1 }
                while bits != 0 {
                    tail += values[i + bits.trailingZeroBitCount]
                    bits &= bits &- 1
                }
            }
            i = end
        }
        return (a + b).sum() + tail
    }
}

/// Maps one feature's values to at most 255 value bins plus a bin for missing values, as
/// LightGBM's bin mappers do: bin `b` holds values in `(upperBounds[b - 1], upperBounds[b]]`,
/// the last value bin everything above, and bin `valueBinCount` missing values (null, NaN).
///
/// Bounds come from the distinct values of a sample: midpoints between neighbours when there are
/// few distinct values, otherwise midpoints at equal-count quantiles.
///
/// ±Infinity are values beyond every finite one, as in LightGBM: they are placed as
/// ±`greatestFiniteMagnitude`, so bounds and split thresholds stay finite, +Infinity falls in the
/// last bin and -Infinity in the first.
struct BinMapper: Sendable, Hashable, Codable {
    /// The upper bound of each value bin but the last, increasing.
    let upperBounds: [Double]
    /// Whether the training values included missing ones.
    let hasMissing: Bool

    /// The number of value bins (at least 1).
    var valueBinCount: Int { upperBounds.count + 1 }
    /// The bin of missing values.
    var missingBin: Int { upperBounds.count + 1 }
    /// The number of bins in a histogram of this feature, the missing bin included.
    var binCount: Int { upperBounds.count + 2 }

    /// The split threshold that sends value bins `0...bin` left: `x <= threshold(bin)`.
    func threshold(_ bin: Int) -> Double {
        bin < upperBounds.count ? upperBounds[bin] : .greatestFiniteMagnitude
    }

    /// At most this many rows are sampled to place the bounds (LightGBM's `bin_construct_sample_cnt`).
    static let sampleSize = 200_000

    /// Bounds for `values` (missing as NaN) with at most `maxBin` value bins.
    /// - Complexity: O(s log s) for a sample of s = min(count, 200 000) values.
    init(values: UnsafeBufferPointer<Double>, maxBin: Int) {
        let n = values.count
        var sample: [Double] = []
        var missing = false
        let step = Swift.max(1, n / BinMapper.sampleSize)
        sample.reserveCapacity(n / step + 1)
        var i = 0
        while i < n {
            let x = values[i]
            if x.isNaN { missing = true } else { sample.append(BinMapper.finite(x)) }
            i += step
        }
        if !missing {
            for x in values where x.isNaN {
                missing = true
                break
            }
        }
        BinMapper.radixSort(&sample)
        var distinct: [Double] = []
        var counts: [Int] = []
        for x in sample {
            if let last = distinct.last, last == x {
                counts[counts.count - 1] += 1
            } else {
                distinct.append(x)
                counts.append(1)
            }
        }
        hasMissing = missing
        upperBounds = BinMapper.bounds(distinct: distinct, counts: counts, total: sample.count, maxBin: maxBin)
    }

    /// `x` with ±Infinity placed at ±`greatestFiniteMagnitude`.
    @inline(__always)
    static func finite(_ x: Double) -> Double {
        Swift.min(Swift.max(x, -.greatestFiniteMagnitude), .greatestFiniteMagnitude)
    }

    init(upperBounds: [Double], hasMissing: Bool) {
        self.upperBounds = upperBounds
        self.hasMissing = hasMissing
    }

    /// Sorts values without NaN ascending: an LSD radix sort on order-preserving bit patterns,
    /// skipping the byte positions where every key agrees.
    /// - Complexity: O(8 × count).
    static func radixSort(_ values: inout [Double]) {
        let n = values.count
        if n < 256 {
            values.sort()
            return
        }
        var keys = values.map { x -> UInt64 in
            let bits = x.bitPattern
            return bits & (1 << 63) != 0 ? ~bits : bits | (1 << 63)
        }
        var other = [UInt64](repeating: 0, count: n)
        var counts = [Int](repeating: 0, count: 256)
        for shift in stride(from: 0, to: 64, by: 8) {
            for i in 0..<256 { counts[i] = 0 }
            for key in keys { counts[Int((key >> UInt64(shift)) & 0xff)] += 1 }
            if counts.contains(n) { continue }
            var total = 0
            for i in 0..<256 {
                let c = counts[i]
                counts[i] = total
                total += c
            }
            keys.withUnsafeBufferPointer { source in
                other.withUnsafeMutableBufferPointer { destination in
                    for key in source {
                        let bucket = Int((key >> UInt64(shift)) & 0xff)
                        destination[counts[bucket]] = key
                        counts[bucket] += 1
                    }
                }
            }
            swap(&keys, &other)
        }
        for i in 0..<n {
            let key = keys[i]
            values[i] = Double(bitPattern: key & (1 << 63) != 0 ? key & ~(1 << 63) : ~key)
        }
    }

    private static func bounds(distinct: [Double], counts: [Int], total: Int, maxBin: Int) -> [Double] {
        if distinct.count <= 1 { return [] }
        func midpoint(_ k: Int) -> Double {
            let mid = distinct[k] / 2 + distinct[k + 1] / 2
            // Rounding may land on the upper value; the bound must stay below it.
            return mid < distinct[k + 1] ? mid : distinct[k]
        }
        if distinct.count <= maxBin { return (0..<(distinct.count - 1)).map(midpoint) }
        var bounds: [Double] = []
        var cumulative = 0
        var nextCut = 1
        for k in 0..<(distinct.count - 1) {
            cumulative += counts[k]
            // Cut after value k when the running count reaches the next equal-count target.
            if cumulative * maxBin >= nextCut * total {
                bounds.append(midpoint(k))
                while nextCut * total <= cumulative * maxBin { nextCut += 1 }
                if bounds.count == maxBin - 1 { break }
            }
        }
        return bounds
    }

    /// The bin of `x` by binary search.
    func bin(_ x: Double) -> Int {
        if x.isNaN { return missingBin }
        var low = 0
        var high = upperBounds.count
        while low < high {
            let mid = (low + high) / 2
            if x <= upperBounds[mid] { high = mid } else { low = mid + 1 }
        }
        return low
    }
}

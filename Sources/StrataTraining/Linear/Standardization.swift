import StrataColumnar
/// Per-feature centring and scaling learned on training data (as scikit-learn's `StandardScaler`,
/// population standard deviation); missing values become 0, the mean.
public struct Standardization: Sendable, Hashable, Codable {
    /// The mean of each feature over its non-missing training values.
    public let means: [Double]
    /// The standard deviation of each feature; 0 for a constant feature, which is then ignored.
    public let scales: [Double]

    /// Learns the means and scales of `data`'s features.
    /// - Complexity: O(rows × features), one pass over the data.
    init(_ data: TrainingData, pool: WorkerPool) {
        self = Standardization.learn(data, pool: pool).standardization
    }

    /// Learns the means and scales of `data`'s features, and counts each feature's missing values.
    ///
    /// Each feature is read once, in blocks small enough to stay in cache: a block's mean and sum of
    /// squared deviations are computed exactly (two passes over the cached block), then merged into
    /// the running ones (Chan et al.), which is as accurate as two passes over the whole column.
    /// - Complexity: O(rows × features).
    static func learn(_ data: TrainingData, pool: WorkerPool) -> (standardization: Standardization, missing: [Int]) {
        let features = data.featureNames.count
        var stats = [(mean: Double, deviation: Double, missing: Int)](repeating: (0, 0, 0), count: features)
        stats.withUnsafeMutableBufferPointer { out in
            let shared = UncheckedSendable(out)
            pool.forEachClaimedChunk(count: features, chunks: features) { _, range in
                for f in range {
                    let (mean, deviation, count) = data.withFeature(f, Standardization.moments)
                    // Relative to the mean, a tiny spread is rounding noise of a constant feature.
                    let scale = count == 0 || deviation <= 1e-12 * Swift.max(1, abs(mean)) ? 0 : deviation
                    shared.value[f] = (count == 0 ? 0 : mean, scale, data.rowCount - count)
                }
            }
        }
        return (Standardization(means: stats.map(\.mean), scales: stats.map(\.deviation)), stats.map(\.missing))
    }

    /// Values per block of `moments`: 32 KiB, an L1 cache.
    static let block = 4096

    /// The mean and population standard deviation of the non-NaN values, and their number.
    static func moments(_ values: UnsafeBufferPointer<Double>) -> (mean: Double, deviation: Double, count: Int) {
        guard let address = values.baseAddress else { return (0, 0, 0) }
        let base = UnsafeRawPointer(address)
        var total = 0.0
        var mean = 0.0
        var squares = 0.0
        var start = 0
        while start < values.count {
            let end = Swift.min(values.count, start + block)
            var sums = SIMD4<Double>.zero
            var counts = SIMD4<Double>.zero
            var i = start
            while i + 4 <= end {
                let v = base.loadUnaligned(fromByteOffset: i * 8, as: SIMD4<Double>.self)
                let missing = .!(v .== v)
                sums += v.replacing(with: 0, where: missing)
                counts += SIMD4<Double>(repeating: 1).replacing(with: 0, where: missing)
                i += 4
            }
            var sum = sums.sum()
            var count = counts.sum()
            for x in values[i..<end] where !x.isNaN {
                sum += x
                count += 1
            }
            if count > 0 {
                let blockMean = sum / count
                var deviations = SIMD4<Double>.zero
                i = start
                while i + 4 <= end {
                    let v = base.loadUnaligned(fromByteOffset: i * 8, as: SIMD4<Double>.self)
                    let d = v - blockMean
                    deviations += (d * d).replacing(with: 0, where: .!(v .== v))
                    i += 4
                }
                var blockSquares = deviations.sum()
                for x in values[i..<end] where !x.isNaN { blockSquares += (x - blockMean) * (x - blockMean) }
                let merged = total + count
                let delta = blockMean - mean
                mean += delta * count / merged
                squares += blockSquares + delta * delta * total * count / merged
                total = merged
            }
            start = end
        }
        return total == 0 ? (0, 0, 0) : (mean, (squares / total).squareRoot(), Int(total))
    }

    init(means: [Double], scales: [Double]) {
        self.means = means
        self.scales = scales
    }

    /// The standardised value of feature `f`; 0 for a missing value or a constant feature.
    @inline(__always)
    func apply(_ x: Double, feature f: Int) -> Double {
        let scale = scales[f]
        return x.isNaN || scale == 0 ? 0 : (x - means[f]) / scale
    }

    /// The standardised features of `data`, row after row, each row padded with zeros to `stride`.
    ///
    /// Transposes in tiles of 256 rows so that reads and writes both stay in cache.
    /// - Complexity: O(rows × features).
    func rowMajor(_ data: TrainingData, stride: Int, pool: WorkerPool) -> [Double] {
        let n = data.rowCount
        let p = data.featureNames.count
        let shifts = (0..<p).map { scales[$0] == 0 ? 0 : means[$0] }
        let factors = (0..<p).map { scales[$0] == 0 ? 0 : 1 / scales[$0] }
        let tile = 256
        return [Double](uninitializedCount: n * stride) { buffer, initialized in
            let out = UncheckedSendable(buffer.baseAddress!)
            pool.forEachChunk(count: (n + tile - 1) / tile, chunks: pool.workers * 8) { _, tiles in
                for t in tiles {
                    let rows = (t * tile)..<Swift.min(n, (t + 1) * tile)
                    for f in 0..<p {
                        let m = shifts[f]
                        let k = factors[f]
                        data.withFeature(f) { source in
                            for row in rows {
                                let x = source[row]
                                out.value[row * stride + f] = x.isNaN ? 0 : (x - m) * k
                            }
                        }
                    }
                    for row in rows {
                        for f in p..<stride { out.value[row * stride + f] = 0 }
                    }
                }
            }
            initialized = n * stride
        }
    }
}

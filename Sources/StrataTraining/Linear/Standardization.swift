import StrataColumnar
/// Per-feature centring and scaling learned on training data (as scikit-learn's `StandardScaler`,
/// population standard deviation); missing values become 0, the mean.
public struct Standardization: Sendable, Hashable, Codable {
    /// The mean of each feature over its non-missing training values.
    public let means: [Double]
    /// The standard deviation of each feature; 0 for a constant feature, which is then ignored.
    public let scales: [Double]

    /// Learns the means and scales of `data`'s features.
    /// - Complexity: O(rows × features), two passes.
    init(_ data: TrainingData, pool: WorkerPool) {
        let features = data.featureNames.count
        var stats = [(Double, Double)](repeating: (0, 0), count: features)
        stats.withUnsafeMutableBufferPointer { out in
            let shared = UncheckedSendable(out)
            pool.run { worker in
                for f in stride(from: worker, to: features, by: pool.workers) {
                    shared.value[f] = data.withFeature(f) { values in
                        var sum = 0.0
                        var count = 0
                        for x in values where !x.isNaN {
                            sum += x
                            count += 1
                        }
                        guard count > 0 else { return (0, 0) }
                        let mean = sum / Double(count)
                        var squares = 0.0
                        for x in values where !x.isNaN { squares += (x - mean) * (x - mean) }
                        let deviation = (squares / Double(count)).squareRoot()
                        // Relative to the mean, a tiny spread is rounding noise of a constant feature.
                        return (mean, deviation <= 1e-12 * Swift.max(1, abs(mean)) ? 0 : deviation)
                    }
                }
            }
        }
        means = stats.map(\.0)
        scales = stats.map(\.1)
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
    func rowMajor<T: BinaryFloatingPoint>(_ data: TrainingData, stride: Int, pool: WorkerPool, as: T.Type = Double.self) -> [T] {
        let n = data.rowCount
        let p = data.featureNames.count
        let shifts = (0..<p).map { scales[$0] == 0 ? 0 : means[$0] }
        let factors = (0..<p).map { scales[$0] == 0 ? 0 : 1 / scales[$0] }
        let tile = 256
        return [T](unsafeUninitializedCapacity: n * stride) { buffer, initialized in
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
                                out.value[row * stride + f] = x.isNaN ? 0 : T((x - m) * k)
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

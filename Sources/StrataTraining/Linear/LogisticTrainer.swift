import StrataColumnar
import Foundation

/// L2-regularised logistic regression on standardised features, fitted by L-BFGS.
///
/// Minimises the mean log-loss plus `lambda_l2 / (2n) · ‖w‖²` (the intercept is not penalised),
/// which is scikit-learn's `LogisticRegression(C = 1 / lambda_l2)`. Each evaluation of the loss
/// and its gradient is one pass over a row-major `Float` copy of the standardised features (half
/// the memory traffic of `Double`; standardised values need no more precision), in fixed chunks
/// on all workers whose partial sums are added in chunk order. Losses and gradients are summed
/// in `Double`.
struct LogisticTrainer {
    let parameters: TrainingParameters

    static let chunks = 64

    func fit(_ train: TrainingData) throws -> LinearCoefficients {
        let n = train.rowCount
        guard n > 0 else { throw TrainingError(.insufficientData, "the training set has no rows") }
        try GBDTTrainer.checkLabels(train.labels, objective: .binary, name: train.labelName)
        let pool = WorkerPool(threads: parameters.numThreads)
        let standardization = Standardization(train, pool: pool)
        let p = train.featureNames.count
        let stride = (p + 7) / 8 * 8
        let matrix = standardization.rowMajor(train, stride: stride, pool: pool, as: Float.self)
        let lambda = parameters.resolvedLambdaL2(for: .logistic)
        let positives = train.labels.reduce(0, +) / Double(n)
        let clipped = Swift.min(Swift.max(positives, 1e-15), 1 - 1e-15)
        var start = [Double](repeating: 0, count: p + 1)
        start[p] = Foundation.log(clipped / (1 - clipped))
        let chunks = LogisticTrainer.chunks
        var partials = [Double](repeating: 0, count: chunks * (stride + 2))
        var weights = [Float](repeating: 0, count: stride)

        let solver = LBFGS(gradientTolerance: parameters.tolerance, maxIterations: parameters.numIterations)
        let result = solver.minimize(start: start) { x, gradient in
            for f in 0..<p { weights[f] = Float(x[f]) }
            let bias = x[p]
            matrix.withUnsafeBufferPointer { m in
                train.labels.withUnsafeBufferPointer { y in
                    weights.withUnsafeBufferPointer { w in
                        partials.withUnsafeMutableBufferPointer { out in
                            let shared = UncheckedSendable(out)
                            pool.forEachChunk(count: n, chunks: chunks) { chunk, range in
                                LogisticTrainer.pass(
                                    rows: range, matrix: m.baseAddress!, stride: stride, labels: y.baseAddress!,
                                    weights: w.baseAddress!, bias: bias,
                                    out: shared.value.baseAddress! + chunk * (stride + 2))
                            }
                        }
                    }
                }
            }
            var loss = 0.0
            for f in 0...p { gradient[f] = 0 }
            for chunk in 0..<chunks {
                let base = chunk * (stride + 2)
                for f in 0..<p { gradient[f] += partials[base + f] }
                gradient[p] += partials[base + stride]
                loss += partials[base + stride + 1]
            }
            let scale = 1 / Double(n)
            var penalty = 0.0
            for f in 0..<p {
                gradient[f] = gradient[f] * scale + lambda * scale * x[f]
                penalty += x[f] * x[f]
            }
            gradient[p] *= scale
            return loss * scale + 0.5 * lambda * scale * penalty
        }
        var coefficients = Array(result.x[0..<p])
        for f in 0..<p where standardization.scales[f] == 0 { coefficients[f] = 0 }
        return LinearCoefficients(standardization: standardization, coefficients: coefficients, intercept: result.x[p])
    }

    /// Adds, over `rows`, the gradient of the summed log-loss (features, then intercept) and the
    /// summed loss itself into `out[0..<stride]`, `out[stride]` and `out[stride + 1]`.
    ///
    /// Products are summed in `Float` lanes for blocks of 256 rows, then carried into `Double`.
    @inline(__always)
    static func pass(
        rows: Range<Int>, matrix: UnsafePointer<Float>, stride: Int, labels: UnsafePointer<Double>,
        weights: UnsafePointer<Float>, bias: Double, out: UnsafeMutablePointer<Double>
    ) {
        let vectors = stride / 8
        let w = UnsafeRawPointer(weights)
        let block = UnsafeMutablePointer<SIMD8<Float>>.allocate(capacity: vectors)
        defer { block.deallocate() }
        for k in 0..<stride { out[k] = 0 }
        var biasGradient = 0.0
        var loss = 0.0
        var start = rows.lowerBound
        while start < rows.upperBound {
            let end = Swift.min(rows.upperBound, start + 256)
            block.initialize(repeating: .zero, count: vectors)
            for row in start..<end {
                let x = UnsafeRawPointer(matrix + row * stride)
                var dot = SIMD8<Float>.zero
                for k in 0..<vectors {
                    dot += x.loadUnaligned(fromByteOffset: k * 32, as: SIMD8<Float>.self)
                        * w.loadUnaligned(fromByteOffset: k * 32, as: SIMD8<Float>.self)
                }
                let z = Double(dot.sum()) + bias
                let y = labels[row]
                let t = Foundation.exp(-abs(z))
                let probability = z >= 0 ? 1 / (1 + t) : t / (1 + t)
                loss += Foundation.log1p(t) + Swift.max(z, 0) - y * z
                let residual = probability - y
                biasGradient += residual
                let r = SIMD8<Float>(repeating: Float(residual))
                for k in 0..<vectors {
                    block[k] += r * x.loadUnaligned(fromByteOffset: k * 32, as: SIMD8<Float>.self)
                }
            }
            for k in 0..<vectors {
                for lane in 0..<8 { out[k * 8 + lane] += Double(block[k][lane]) }
            }
            start = end
        }
        out[stride] = biasGradient
        out[stride + 1] = loss
    }
}

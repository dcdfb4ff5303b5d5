import StrataColumnar
import Foundation

/// L2-regularised logistic regression on standardised features, fitted by L-BFGS.
///
/// Minimises the mean log-loss plus `lambda_l2 / (2n) · ‖w‖²` (the intercept is not penalised),
/// which is scikit-learn's `LogisticRegression(C = 1 / lambda_l2)`.
///
/// The features are never copied or standardised in memory: standardisation is folded into the
/// weights (`w·(x − mean)/scale = (w/scale)·x − Σ w·mean/scale`) and into the gradient
/// (`Σ r·(x − mean)/scale = (Σ r·x − mean·Σ r)/scale`), so each evaluation of the loss and its
/// gradient is one pass over the training data's own `float64` columns (only a feature with missing
/// values is copied once, with the mean filled in). The pass goes through blocks of rows small
/// enough that a block's columns, read from memory for the linear predictor, are still in cache when
/// they are read again for the gradient; blocks form fixed chunks that idle workers claim, whose
/// partial sums are added in chunk order, so the result never depends on timing or thread count.
struct LogisticTrainer {
    let parameters: TrainingParameters

    static let chunks = 64
    /// Rows per block: 512 rows of 50 features are 200 KiB, within a core's L2 cache.
    static let block = 512

    func fit(_ train: TrainingData) throws -> LinearCoefficients {
        let n = train.rowCount
        guard n > 0 else { throw TrainingError(.insufficientData, "the training set has no rows") }
        try GBDTTrainer.checkLabels(
            train.labels, objective: .binary, name: train.labelName,
            suggestion: "for a numeric label, train --algorithm linear")
        let pool = WorkerPool(threads: parameters.numThreads)
        let (standardization, missing) = Standardization.learn(train, pool: pool)
        let p = train.featureNames.count
        let used = (0..<p).filter { standardization.scales[$0] != 0 }
        let columns = used.map { f in
            missing[f] == 0 ? train.features[f] : train.features[f].map { $0.isNaN ? standardization.means[f] : $0 }
        }
        let q = used.count
        let lambda = parameters.resolvedLambdaL2(for: .logistic)
        let positives = train.labels.reduce(0, +) / Double(n)
        let clipped = Swift.min(Swift.max(positives, 1e-15), 1 - 1e-15)
        var start = [Double](repeating: 0, count: p + 1)
        start[p] = Foundation.log(clipped / (1 - clipped))
        let chunks = LogisticTrainer.chunks
        let width = q + 2
        var partials = [Double](repeating: 0, count: chunks * width)
        var weights = [Double](repeating: 0, count: q)

        let solver = LBFGS(gradientTolerance: parameters.tolerance, maxIterations: parameters.numIterations)
        let result = LogisticTrainer.withColumns(columns) { columns in
            solver.minimize(start: start) { x, gradient in
                var offset = x[p]
                for (k, f) in used.enumerated() {
                    weights[k] = x[f] / standardization.scales[f]
                    offset -= weights[k] * standardization.means[f]
                }
                train.labels.withUnsafeBufferPointer { y in
                    weights.withUnsafeBufferPointer { w in
                        partials.withUnsafeMutableBufferPointer { out in
                            let shared = UncheckedSendable(out)
                            pool.forEachClaimedChunk(count: n, chunks: chunks) { chunk, range in
                                LogisticTrainer.pass(
                                    rows: range, columns: columns, count: q, labels: y.baseAddress!, weights: w.baseAddress!, offset: offset,
                                    out: shared.value.baseAddress! + chunk * width)
                            }
                        }
                    }
                }
                var sums = [Double](repeating: 0, count: width)
                for chunk in 0..<chunks {
                    for k in 0..<width { sums[k] += partials[chunk * width + k] }
                }
                let scale = 1 / Double(n)
                let residuals = sums[q]
                var penalty = 0.0
                for f in 0..<p {
                    gradient[f] = lambda * scale * x[f]
                    penalty += x[f] * x[f]
                }
                for (k, f) in used.enumerated() {
                    let s = standardization
                    gradient[f] += (sums[k] - s.means[f] * residuals) / s.scales[f] * scale
                }
                gradient[p] = residuals * scale
                return sums[q + 1] * scale + 0.5 * lambda * scale * penalty
            }
        }
        var coefficients = Array(result.x[0..<p])
        for f in 0..<p where standardization.scales[f] == 0 { coefficients[f] = 0 }
        return LinearCoefficients(standardization: standardization, coefficients: coefficients, intercept: result.x[p])
    }

    /// Calls `body` with the columns' base addresses, valid for the duration of the call.
    static func withColumns<R>(_ columns: [[Double]], _ body: (UnsafePointer<UnsafePointer<Double>>) -> R) -> R {
        var pointers: [UnsafePointer<Double>] = []
        pointers.reserveCapacity(columns.count)
        func nest(_ k: Int) -> R {
            guard k < columns.count else { return pointers.withUnsafeBufferPointer { body($0.baseAddress ?? UnsafePointer(bitPattern: 8)!) } }
            return columns[k].withUnsafeBufferPointer { column in
                pointers.append(column.baseAddress ?? UnsafePointer(bitPattern: 8)!)
                return nest(k + 1)
            }
        }
        return nest(0)
    }

    /// Writes, over `rows`, the gradient of the summed log-loss with respect to the raw weights,
    /// `Σ r·x` per column with `r = p − y`, into `out[0..<q]`, then `Σ r` and the summed loss.
    ///
    /// A block's linear predictors are built column by column (each column's block read once from
    /// memory, added in SIMD lanes), the residuals and losses computed row by row, then each column's
    /// block is read again, from cache, for its share of the gradient.
    @inline(__always)
    static func pass(
        rows: Range<Int>, columns: UnsafePointer<UnsafePointer<Double>>, count q: Int, labels: UnsafePointer<Double>,
        weights: UnsafePointer<Double>, offset: Double, out: UnsafeMutablePointer<Double>
    ) {
        for k in 0..<(q + 2) { out[k] = 0 }
        let z = UnsafeMutablePointer<Double>.allocate(capacity: block)
        defer { z.deallocate() }
        let predictors = UnsafeMutableRawPointer(z)
        var residualSum = 0.0
        var loss = 0.0
        var start = rows.lowerBound
        while start < rows.upperBound {
            let count = Swift.min(block, rows.upperBound - start)
            let vectorEnd = count & ~3
            for i in 0..<count { z[i] = offset }
            var k = 0
            while k < q {
                // Four columns per sweep, so that the block's predictors are loaded and stored once per four.
                let width = Swift.min(4, q - k)
                var c = (columns[k] + start, columns[k + (width > 1 ? 1 : 0)] + start,
                         columns[k + (width > 2 ? 2 : 0)] + start, columns[k + (width > 3 ? 3 : 0)] + start)
                let w = (weights[k], width > 1 ? weights[k + 1] : 0, width > 2 ? weights[k + 2] : 0, width > 3 ? weights[k + 3] : 0)
                if width < 4 { c.3 = c.0 }
                let (x0, x1, x2, x3) = (UnsafeRawPointer(c.0), UnsafeRawPointer(c.1), UnsafeRawPointer(c.2), UnsafeRawPointer(c.3))
                let (w0, w1, w2, w3) = (SIMD4(repeating: w.0), SIMD4(repeating: w.1), SIMD4(repeating: w.2), SIMD4(repeating: w.3))
                var i = 0
                while i < vectorEnd {
                    let offset = i * 8
                    var sum = predictors.loadUnaligned(fromByteOffset: offset, as: SIMD4<Double>.self)
                    sum += w0 * x0.loadUnaligned(fromByteOffset: offset, as: SIMD4<Double>.self)
                    sum += w1 * x1.loadUnaligned(fromByteOffset: offset, as: SIMD4<Double>.self)
                    sum += w2 * x2.loadUnaligned(fromByteOffset: offset, as: SIMD4<Double>.self)
                    sum += w3 * x3.loadUnaligned(fromByteOffset: offset, as: SIMD4<Double>.self)
                    predictors.storeBytes(of: sum, toByteOffset: offset, as: SIMD4<Double>.self)
                    i += 4
                }
                while i < count {
                    z[i] += w.0 * c.0[i] + w.1 * c.1[i] + w.2 * c.2[i] + w.3 * c.3[i]
                    i += 1
                }
                k += width
            }
            for i in 0..<count {
                let predictor = z[i]
                let y = labels[start + i]
                let t = Foundation.exp(-abs(predictor))
                let probability = predictor >= 0 ? 1 / (1 + t) : t / (1 + t)
                loss += Foundation.log1p(t) + Swift.max(predictor, 0) - y * predictor
                let residual = probability - y
                residualSum += residual
                z[i] = residual
            }
            k = 0
            while k < q {
                let width = Swift.min(4, q - k)
                let c = (columns[k] + start, columns[k + (width > 1 ? 1 : 0)] + start,
                         columns[k + (width > 2 ? 2 : 0)] + start, columns[k + (width > 3 ? 3 : 0)] + start)
                let (x0, x1, x2, x3) = (UnsafeRawPointer(c.0), UnsafeRawPointer(c.1), UnsafeRawPointer(c.2), UnsafeRawPointer(c.3))
                var (a0, a1, a2, a3) = (SIMD4<Double>.zero, SIMD4<Double>.zero, SIMD4<Double>.zero, SIMD4<Double>.zero)
                var i = 0
                while i < vectorEnd {
                    let offset = i * 8
                    let r = predictors.loadUnaligned(fromByteOffset: offset, as: SIMD4<Double>.self)
                    a0 += r * x0.loadUnaligned(fromByteOffset: offset, as: SIMD4<Double>.self)
                    a1 += r * x1.loadUnaligned(fromByteOffset: offset, as: SIMD4<Double>.self)
                    a2 += r * x2.loadUnaligned(fromByteOffset: offset, as: SIMD4<Double>.self)
                    a3 += r * x3.loadUnaligned(fromByteOffset: offset, as: SIMD4<Double>.self)
                    i += 4
                }
                var t = (a0.sum(), a1.sum(), a2.sum(), a3.sum())
                while i < count {
                    t.0 += z[i] * c.0[i]
                    t.1 += z[i] * c.1[i]
                    t.2 += z[i] * c.2[i]
                    t.3 += z[i] * c.3[i]
                    i += 1
                }
                out[k] += t.0
                if width > 1 { out[k + 1] += t.1 }
                if width > 2 { out[k + 2] += t.2 }
                if width > 3 { out[k + 3] += t.3 }
                k += width
            }
            start += count
        }
        out[q] = residualSum
        out[q + 1] = loss
    }
}

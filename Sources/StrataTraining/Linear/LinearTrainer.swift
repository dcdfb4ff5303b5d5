import StrataColumnar
/// Linear least squares with an optional ridge penalty on standardised features, solved in closed
/// form: the normal equations `(XᵀX + λI) β = Xᵀy` with an unpenalised intercept, by Cholesky.
struct LinearTrainer {
    let parameters: TrainingParameters

    static let chunks = 64

    func fit(_ train: TrainingData) throws -> LinearCoefficients {
        let n = train.rowCount
        guard n > 0 else { throw TrainingError(.insufficientData, "the training set has no rows") }
        let pool = WorkerPool(threads: parameters.numThreads)
        let standardization = Standardization(train, pool: pool)
        let p = train.featureNames.count
        let used = (0..<p).filter { standardization.scales[$0] != 0 }
        let q = used.count + 1  // the intercept comes last
        let stride = (p + 3) / 4 * 4
        let matrix = standardization.rowMajor(train, stride: stride, pool: pool)
        let width = q * q + q
        var partials = [Double](repeating: 0, count: LinearTrainer.chunks * width)
        matrix.withUnsafeBufferPointer { m in
            train.labels.withUnsafeBufferPointer { y in
                partials.withUnsafeMutableBufferPointer { out in
                    let shared = UncheckedSendable(out)
                    pool.forEachChunk(count: n, chunks: LinearTrainer.chunks) { chunk, range in
                        let gram = shared.value.baseAddress! + chunk * width
                        let xty = gram + q * q
                        var row = [Double](repeating: 1, count: q)
                        for r in range {
                            let x = m.baseAddress! + r * stride
                            for (k, f) in used.enumerated() { row[k] = x[f] }
                            for i in 0..<q {
                                let xi = row[i]
                                xty[i] += xi * y[r]
                                for j in i..<q { gram[i * q + j] += xi * row[j] }
                            }
                        }
                    }
                }
            }
        }
        var gram = [Double](repeating: 0, count: q * q)
        var xty = [Double](repeating: 0, count: q)
        for chunk in 0..<LinearTrainer.chunks {
            let base = chunk * width
            for i in 0..<q {
                for j in i..<q { gram[i * q + j] += partials[base + i * q + j] }
                xty[i] += partials[base + q * q + i]
            }
        }
        let lambda = parameters.resolvedLambdaL2(for: .linear)
        for i in 0..<q {
            for j in 0..<i { gram[i * q + j] = gram[j * q + i] }
            if i < q - 1 { gram[i * q + i] += lambda }
        }
        guard let solution = Cholesky.solve(gram, xty, size: q) else {
            throw TrainingError(
                .numericalFailure,
                "the features are collinear (XᵀX is singular); drop redundant features or set lambda_l2 above 0")
        }
        var coefficients = [Double](repeating: 0, count: p)
        for (k, f) in used.enumerated() { coefficients[f] = solution[k] }
        return LinearCoefficients(standardization: standardization, coefficients: coefficients, intercept: solution[q - 1])
    }
}

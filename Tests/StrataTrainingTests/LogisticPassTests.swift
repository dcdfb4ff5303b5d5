import Foundation
import StrataColumnar
import Testing
@testable import StrataTraining

/// The logistic trainer's pass over the raw columns (standardisation folded into weights and
/// gradient) and the one-pass standardisation it relies on, checked against direct computations.
@Suite struct LogisticPassTests {
    /// A pass over rows that fill neither whole blocks nor whole SIMD lanes, with a column count that
    /// is not a multiple of four, equals the sums computed row by row.
    @Test(arguments: [1, 3, 7, 9])
    func passEqualsTheDirectSums(columnCount: Int) {
        var rng = SplitMix64(seed: UInt64(columnCount))
        let rows = 1_237
        let columns = (0..<columnCount).map { k in (0..<rows).map { _ in rng.normal() * Double(k + 1) + Double(k) } }
        let labels = (0..<rows).map { _ in rng.chance(0.3) ? 1.0 : 0.0 }
        let weights = (0..<columnCount).map { _ in rng.normal() * 0.3 }
        let offset = -0.4
        var expected = [Double](repeating: 0, count: columnCount + 2)
        for i in 0..<rows {
            var z = offset
            for k in 0..<columnCount { z += weights[k] * columns[k][i] }
            let p = 1 / (1 + exp(-z))
            let r = p - labels[i]
            for k in 0..<columnCount { expected[k] += r * columns[k][i] }
            expected[columnCount] += r
            expected[columnCount + 1] += log(1 + exp(-abs(z))) + max(z, 0) - labels[i] * z
        }
        var out = [Double](repeating: .nan, count: columnCount + 2)
        LogisticTrainer.withColumns(columns) { pointers in
            labels.withUnsafeBufferPointer { y in
                weights.withUnsafeBufferPointer { w in
                    out.withUnsafeMutableBufferPointer { o in
                        LogisticTrainer.pass(
                            rows: 0..<rows, columns: pointers, count: columnCount, labels: y.baseAddress!, weights: w.baseAddress!,
                            offset: offset, out: o.baseAddress!)
                    }
                }
            }
        }
        for k in expected.indices {
            #expect(near(out[k], expected[k], 1e-9 * max(1, abs(expected[k]))), "sum \(k): \(out[k]) against \(expected[k])")
        }
    }

    /// One pass in cached blocks gives the two-pass mean and population deviation, also far from 0
    /// and with missing values.
    @Test func momentsEqualTheTwoPassDefinition() {
        var rng = SplitMix64(seed: 11)
        let values = (0..<10_003).map { i in i % 17 == 0 ? Double.nan : 1e9 + rng.normal() * 3 }
        let present = values.filter { !$0.isNaN }
        let mean = present.reduce(0, +) / Double(present.count)
        let deviation = (present.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(present.count)).squareRoot()
        let moments = values.withUnsafeBufferPointer(Standardization.moments)
        #expect(moments.count == present.count)
        #expect(near(moments.mean, mean, 1e-15 * mean))
        #expect(near(moments.deviation, deviation, 1e-9 * deviation))
        #expect([Double]().withUnsafeBufferPointer(Standardization.moments).count == 0)
    }

    /// Chunks are fixed and summed in order, so the fit is the same whatever the number of threads.
    @Test func theFitDoesNotDependOnTheThreadCount() throws {
        let frame = TestData.classification(rows: 20_000, features: 6, nullShare: 0.05, seed: 3)
        let models = try [1, 2, 3].map { threads in
            try Trainer.train(frame: frame, label: "label", algorithm: .logistic, parameters: TrainingParameters(["num_threads=\(threads)"])).model
        }
        guard case .linear(let one) = models[0].content else {
            Issue.record("logistic regression gave no linear model")
            return
        }
        for model in models.dropFirst() {
            guard case .linear(let other) = model.content else { continue }
            #expect(other.coefficients == one.coefficients)
            #expect(other.intercept == one.intercept)
        }
    }
}

import Foundation
import StrataColumnar
import Testing
@testable import StrataTraining

@Suite struct LinearModelTests {
    /// y = 2 + 3·a − 1.5·b + 0.25·c + small noise, with features on different scales.
    static func linearFrame(rows: Int, noise: Double, seed: UInt64) -> Frame {
        var rng = SplitMix64(seed: seed)
        var a: [Double] = [], b: [Float] = [], c: [Int64] = [], y: [Double] = []
        for _ in 0..<rows {
            let x1 = rng.normal() * 10 + 5
            let x2 = Float(rng.normal())
            let x3 = Int64(rng.unit() * 100)
            a.append(x1)
            b.append(x2)
            c.append(x3)
            y.append(2 + 3 * x1 - 1.5 * Double(x2) + 0.25 * Double(x3) + noise * rng.normal())
        }
        return Frame(["a": Column(float64: a), "b": Column(float32: b), "c": Column(int64: c), "y": Column(float64: y)])
    }

    @Test func linearRegressionRecoversKnownCoefficients() throws {
        let frame = Self.linearFrame(rows: 5_000, noise: 0.01, seed: 1)
        let result = try Trainer.train(frame: frame, label: "y", algorithm: .linear)
        guard case .linear(let linear) = result.model.content else { Issue.record("not linear"); return }
        let coefficients = linear.rawCoefficients
        #expect(near(coefficients[0], 3, 1e-3))
        #expect(near(coefficients[1], -1.5, 1e-3))
        #expect(near(coefficients[2], 0.25, 1e-4))
        #expect(near(linear.rawIntercept, 2, 1e-2))
        #expect(try #require(result.trainMetrics.r2) > 0.999_999)
        #expect(result.model.objective == .regression)
    }

    @Test func exactDataIsFitExactly() throws {
        let frame = Self.linearFrame(rows: 200, noise: 0, seed: 2)
        let model = try Trainer.train(frame: frame, label: "y", algorithm: .linear).model
        let predictions = try model.predict(frame)
        let y = frame["y"]!.float64Values
        #expect(zip(predictions, y).allSatisfy { near($0, $1, 1e-9) })
    }

    @Test func ridgeShrinksTowardsZero() throws {
        let frame = Self.linearFrame(rows: 500, noise: 1, seed: 3)
        func slope(_ settings: [String]) throws -> Double {
            let model = try Trainer.train(frame: frame, label: "y", algorithm: .linear, parameters: try TrainingParameters(settings)).model
            guard case .linear(let linear) = model.content else { return .nan }
            return linear.rawCoefficients[0]
        }
        let ols = try slope([])
        let ridge = try slope(["lambda_l2=500"])
        #expect(abs(ridge) < abs(ols))
        // The ridge solution for standardised features: β = (XᵀX + λI)⁻¹Xᵀy; with nearly
        // uncorrelated features each shrinks by about n / (n + λ).
        #expect(near(ridge / ols, 500.0 / 1_000.0, 0.05))
    }

    @Test func collinearFeaturesNeedAPenalty() throws {
        var rng = SplitMix64(seed: 4)
        let a = (0..<100).map { _ in rng.normal() }
        let frame = Frame([
            "a": Column(float64: a), "twice": Column(float64: a.map { 2 * $0 }),
            "y": Column(float64: a.map { $0 + 1 }),
        ])
        let error = #expect(throws: TrainingError.self) { try Trainer.train(frame: frame, label: "y", algorithm: .linear) }
        #expect(error?.code == .numericalFailure)
        #expect(error?.message.contains("lambda_l2") == true)
        _ = try Trainer.train(frame: frame, label: "y", algorithm: .linear, parameters: try TrainingParameters(["lambda_l2=0.1"]))
    }

    /// Logistic regression on data drawn from a logistic model recovers its coefficients.
    @Test func logisticRegressionRecoversKnownCoefficients() throws {
        var rng = SplitMix64(seed: 5)
        let n = 40_000
        var a: [Double] = [], b: [Double] = [], y: [Bool] = []
        for _ in 0..<n {
            let x1 = rng.normal()
            let x2 = rng.normal() * 2
            let z = -0.5 + 1.2 * x1 - 0.7 * x2
            a.append(x1)
            b.append(x2)
            y.append(rng.unit() < 1 / (1 + exp(-z)))
        }
        let frame = Frame(["a": Column(float64: a), "b": Column(float64: b), "y": Column(bool: y)])
        let result = try Trainer.train(
            frame: frame, label: "y", algorithm: .logistic, parameters: try TrainingParameters(["lambda_l2=0.0001"]))
        guard case .linear(let linear) = result.model.content else { Issue.record("not linear"); return }
        // Standard errors at n = 40 000 are about 0.015; allow four of them.
        #expect(near(linear.rawCoefficients[0], 1.2, 0.06))
        #expect(near(linear.rawCoefficients[1], -0.7, 0.06))
        #expect(near(linear.rawIntercept, -0.5, 0.06))
        let p = result.model.predict(row: [0, 0])
        #expect(near(p, 1 / (1 + exp(0.5)), 0.02))
    }

    @Test func logisticHandlesNullsAndAConstantFeature() throws {
        var frame = TestData.classification(rows: 3_000, features: 4, nullShare: 0.1, seed: 7)
        frame = frame.adding("constant", Column(float64: [Double](repeating: 1, count: 3_000)))
        let result = try Trainer.train(frame: frame, label: "label", algorithm: .logistic)
        guard case .linear(let linear) = result.model.content else { return }
        #expect(linear.coefficients[4] == 0)
        #expect(try #require(result.trainMetrics.auc) > 0.8)
        // A row of nulls predicts from the intercept alone (every feature at its mean).
        #expect(near(result.model.predict(row: [.nan, .nan, .nan, .nan, .nan]), 1 / (1 + exp(-linear.intercept)), 1e-15))
        let copy = try Model(artifact: result.model.artifact())
        #expect(copy == result.model)
    }

    @Test func logisticRejectsLabelsOtherThanZeroAndOne() {
        let frame = Frame(["x": Column(float64: [1, 2, 3]), "y": Column(float64: [0, 1, 2])])
        let error = #expect(throws: TrainingError.self) { try Trainer.train(frame: frame, label: "y", algorithm: .logistic) }
        #expect(error?.code == .invalidLabel)
        #expect(error?.message == "label column 'y' has value 2.0 at row 2; the binary objective expects 0 or 1 (for a numeric label, train --algorithm linear)")
    }

    @Test func logisticOnASingleClassPredictsIt() throws {
        let frame = Frame(["x": Column(float64: [1, 2, 3, 4]), "y": Column(float64: [1, 1, 1, 1])])
        let result = try Trainer.train(frame: frame, label: "y", algorithm: .logistic)
        #expect(result.model.predict(row: [2]) > 0.99)
        #expect(result.trainMetrics.auc == nil)
    }
}

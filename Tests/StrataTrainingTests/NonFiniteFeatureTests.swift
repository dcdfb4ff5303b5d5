import Foundation
import StrataColumnar
import Testing
@testable import StrataTraining

/// docs/point-in-time.md "Non-finite values": NaN is a missing value everywhere; GBDT orders ±Infinity
/// beyond every finite value (as LightGBM); linear and logistic models refuse ±Infinity.
@Suite struct NonFiniteFeatureTests {
    /// x in [-1, 1] with a few ±Infinity and NaN; y = 1 above 0.
    static func frame(infinities: Bool = true) -> Frame {
        var rng = SplitMix64(seed: 17)
        var x = (0..<2_000).map { _ in rng.unit() * 2 - 1 }
        if infinities {
            for row in stride(from: 0, to: x.count, by: 50) { x[row] = .infinity }
            for row in stride(from: 25, to: x.count, by: 50) { x[row] = -.infinity }
        }
        for row in stride(from: 7, to: x.count, by: 100) { x[row] = .nan }
        let y = x.map { $0.isNaN ? rng.unit() > 0.5 : $0 > 0 }
        return Frame(["x": Column(float64: x), "y": Column(bool: y)])
    }

    @Test func gbdtOrdersInfinitiesBeyondEveryFiniteValue() throws {
        let parameters = try TrainingParameters(["num_iterations=20", "num_leaves=4", "min_data_in_leaf=5"])
        let model = try Trainer.train(frame: Self.frame(), label: "y", algorithm: .gbdt, parameters: parameters).model
        guard case .trees(let trees) = model.content else { Issue.record("not a tree model"); return }
        let bounds = trees.binUpperBounds.flatMap { $0 }
        let thresholds = trees.trees.flatMap(\.threshold)
        #expect(bounds.allSatisfy { $0.isFinite })
        #expect(thresholds.allSatisfy { $0.isFinite })
        #expect(trees.featureRanges == [-Double.greatestFiniteMagnitude...Double.greatestFiniteMagnitude])
        #expect(model.predict(row: [.infinity]) == model.predict(row: [0.99]))
        #expect(model.predict(row: [-.infinity]) == model.predict(row: [-0.99]))
        #expect(model.predict(row: [.infinity]) > 0.8 && model.predict(row: [-.infinity]) < 0.2)
        let copy = try Model(artifact: model.artifact())
        #expect(copy == model)
    }

    /// A column of one infinite value once made the bin lookup convert NaN (∞ × a zero scale) to Int.
    @Test(arguments: [Double.infinity, -Double.infinity])
    func gbdtTrainsOnAColumnWithoutFiniteSpread(value: Double) throws {
        let frame = Frame([
            "x": Column(float64: [Double](repeating: value, count: 40) + [1, 2]),
            "y": Column(bool: (0..<42).map { $0 % 2 == 0 }),
        ])
        let parameters = try TrainingParameters(["num_iterations=2", "min_data_in_leaf=1"])
        let result = try Trainer.train(frame: frame, label: "y", algorithm: .gbdt, parameters: parameters)
        let predictions = try result.model.predict(frame)
        #expect(predictions.allSatisfy { $0.isFinite })
    }

    @Test(arguments: [Algorithm.logistic, .linear])
    func linearModelsRefuseInfinitiesNamingTheFeatureAndRow(algorithm: Algorithm) throws {
        let objective = algorithm == .linear ? ["objective=regression"] : []
        let error = #expect(throws: TrainingError.self) {
            _ = try Trainer.train(
                frame: Self.frame(), label: "y", algorithm: algorithm, parameters: try TrainingParameters(objective))
        }
        #expect(error?.code == .invalidColumn)
        #expect(error?.message == "feature 'x' is inf at row 1; \(algorithm.rawValue) models need finite values or null (gbdt orders ±Infinity beyond every finite value)")
    }

    @Test func linearModelsTreatNaNAsMissingAndPredictionRefusesInfinities() throws {
        let model = try Trainer.train(frame: Self.frame(infinities: false), label: "y", algorithm: .logistic).model
        #expect(model.predict(row: [.nan]).isFinite)
        let error = #expect(throws: TrainingError.self) {
            _ = try model.predict(Frame(["x": Column(float64: [0.5, -.infinity])]))
        }
        #expect(error?.message == "feature 'x' is -inf at row 2; logistic models need finite values or null")
    }

    /// Labels near the largest double overflow the arithmetic; the fit is refused, never stored.
    @Test(arguments: [Algorithm.gbdt, .linear])
    func overflowingLabelsAreANumericalFailure(algorithm: Algorithm) throws {
        let frame = Frame([
            "x": Column(float64: (0..<40).map(Double.init)),
            "y": Column(float64: (0..<40).map { 1.7e308 - Double($0) * 1e300 }),
        ])
        let error = #expect(throws: TrainingError.self) {
            _ = try Trainer.train(
                frame: frame, label: "y", algorithm: algorithm,
                parameters: try TrainingParameters(["objective=regression", "num_iterations=3", "min_data_in_leaf=1"]))
        }
        #expect(error?.code == .numericalFailure)
    }

    @Test(arguments: [("leftChild", 0), ("rightChild", 9), ("splitFeature", 7)])
    func malformedArtifactsAreRefused(field: String, value: Int) throws {
        let model = try Trainer.train(
            frame: Self.frame(infinities: false), label: "y", algorithm: .gbdt,
            parameters: try TrainingParameters(["num_iterations=2", "num_leaves=4"])).model
        var json = try #require(try JSONSerialization.jsonObject(with: model.artifact()) as? [String: Any])
        var trees = try #require(json["trees"] as? [String: Any])
        var list = try #require(trees["trees"] as? [[String: Any]])
        var values = try #require(list[0][field] as? [Int])
        values[0] = value
        list[0][field] = values
        trees["trees"] = list
        json["trees"] = trees
        let edited = try JSONSerialization.data(withJSONObject: json)
        let error = #expect(throws: TrainingError.self) { _ = try Model(artifact: edited) }
        #expect(error?.code == .invalidArtifact)
        #expect(error?.message.hasPrefix("the model artifact is malformed: tree 0: split 0") == true, "\(error?.message ?? "")")
    }
}

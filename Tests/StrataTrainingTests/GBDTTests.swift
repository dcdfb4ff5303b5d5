import Foundation
import StrataColumnar
import Testing
@testable import StrataTraining

@Suite struct GBDTTests {
    /// y = 1 for x > 0.3, else 0, on a grid of 200 values (fewer than 255, so every gap
    /// between neighbours is a bin edge): the split must fall between 0.3 and the next value.
    @Test func findsTheSplitPointOfAStep() throws {
        var rng = SplitMix64(seed: 3)
        let x = (0..<5_000).map { _ in Double(Int(rng.unit() * 200)) / 100 - 1 }
        let y = x.map { $0 > 0.3 ? 1.0 : 0.0 }
        let frame = Frame(["x": Column(float64: x), "y": Column(float64: y)])
        let parameters = try TrainingParameters(["objective=regression", "num_iterations=1", "num_leaves=2", "learning_rate=1"])
        let model = try Trainer.train(frame: frame, label: "y", algorithm: .gbdt, parameters: parameters).model
        guard case .trees(let trees) = model.content else { Issue.record("not a tree model"); return }
        let tree = trees.trees[0]
        let below = x.filter { $0 <= 0.3 }.max()!
        let above = x.filter { $0 > 0.3 }.min()!
        #expect(tree.splitFeature == [0])
        #expect(tree.threshold[0] >= below && tree.threshold[0] < above)
        // Gradients are kept as Float (as LightGBM keeps them), so leaf values carry ~1e-8 error.
        #expect(near(model.predict(row: [below]), 0, 1e-6))
        #expect(near(model.predict(row: [above]), 1, 1e-6))
    }

    /// With continuous values the split can only fall on a quantile bin edge: within one bin
    /// (about 2/255 of the range here) of the step.
    @Test func findsAContinuousStepToWithinABin() throws {
        var rng = SplitMix64(seed: 13)
        let x = (0..<20_000).map { _ in rng.unit() * 2 - 1 }
        let frame = Frame(["x": Column(float64: x), "y": Column(bool: x.map { $0 > 0.3 })])
        let parameters = try TrainingParameters(["num_iterations=1", "num_leaves=2"])
        let model = try Trainer.train(frame: frame, label: "y", algorithm: .gbdt, parameters: parameters).model
        guard case .trees(let trees) = model.content else { Issue.record("not a tree model"); return }
        #expect(near(trees.trees[0].threshold[0], 0.3, 2.0 / 255))
    }

    @Test func learnsAClassifierThatBeatsChance() throws {
        let frame = TestData.withHoldout(TestData.classification(rows: 6_000, seed: 11), every: 5)
        let result = try Trainer.train(
            frame: frame, label: "label", algorithm: .gbdt,
            parameters: try TrainingParameters(["num_iterations=40", "num_leaves=15"]),
            validation: .indicator(column: "holdout"))
        let auc = try #require(result.validationMetrics?.auc)
        #expect(auc > 0.9)
        #expect(result.model.featureNames == ["x0", "x1", "x2", "x3", "x4", "x5"])
    }

    @Test func sameDataAndSeedGiveTheSameBytes() throws {
        let frame = TestData.classification(rows: 4_000, nullShare: 0.05, seed: 5)
        let parameters = try TrainingParameters([
            "num_iterations=15", "bagging_fraction=0.7", "feature_fraction=0.6", "seed=42", "num_threads=2",
        ])
        let a = try Trainer.train(frame: frame, label: "label", algorithm: .gbdt, parameters: parameters).model
        let b = try Trainer.train(frame: frame, label: "label", algorithm: .gbdt, parameters: parameters).model
        let single = try Trainer.train(
            frame: frame, label: "label", algorithm: .gbdt,
            parameters: try TrainingParameters(["num_iterations=15", "bagging_fraction=0.7", "feature_fraction=0.6", "seed=42", "num_threads=1"])
        ).model
        #expect(a.artifact() == b.artifact())
        guard case .trees(let ta) = a.content, case .trees(let ts) = single.content else { return }
        #expect(ta.trees == ts.trees, "the thread count must not change the trees")
        let other = try Trainer.train(
            frame: frame, label: "label", algorithm: .gbdt,
            parameters: try TrainingParameters(["num_iterations=15", "bagging_fraction=0.7", "feature_fraction=0.6", "seed=43"])
        ).model
        #expect(other.artifact() != a.artifact())
    }

    /// Missing values carry the signal: a missing `x` means label 1, so the split must send
    /// missing values the way of the positives.
    @Test func missingValuesLearnTheirDirection() throws {
        var rng = SplitMix64(seed: 9)
        var x: [Double?] = []
        var y: [Double] = []
        for _ in 0..<4_000 {
            let v = rng.unit()
            if rng.chance(0.2) {
                x.append(nil)
                y.append(1)
            } else {
                x.append(v)
                y.append(v > 0.8 ? 1 : 0)
            }
        }
        let frame = Frame(["x": Column(float64: x), "y": Column(float64: y)])
        let model = try Trainer.train(
            frame: frame, label: "y", algorithm: .gbdt,
            parameters: try TrainingParameters(["num_iterations=30", "num_leaves=4"])).model
        #expect(model.predict(row: [.nan]) > 0.9)
        #expect(model.predict(row: [0.1]) < 0.1)
        #expect(model.predict(row: [0.95]) > 0.9)
    }

    @Test func aConstantFeatureIsNeverSplitOn() throws {
        var rng = SplitMix64(seed: 4)
        let x = (0..<2_000).map { _ in rng.normal() }
        let frame = Frame([
            "constant": Column(float64: [Double](repeating: 3.5, count: 2_000)),
            "x": Column(float64: x),
            "y": Column(bool: x.map { $0 > 0 }),
        ])
        let model = try Trainer.train(
            frame: frame, label: "y", algorithm: .gbdt, parameters: try TrainingParameters(["num_iterations=5"])).model
        guard case .trees(let trees) = model.content else { return }
        #expect(trees.binUpperBounds[0].isEmpty)
        #expect(trees.trees.allSatisfy { !$0.splitFeature.contains(0) })
        #expect(trees.trees.allSatisfy { $0.splitFeature.contains(1) })
    }

    /// One class only: no split gains anything, so the model is its base score.
    @Test func aSingleClassGivesAConstantModel() throws {
        var rng = SplitMix64(seed: 8)
        let frame = Frame([
            "x": Column(float64: (0..<500).map { _ in rng.normal() }),
            "y": Column(float64: [Double](repeating: 0, count: 500)),
        ])
        let result = try Trainer.train(frame: frame, label: "y", algorithm: .gbdt)
        #expect(result.model.predict(row: [0.5]) < 1e-10)
        #expect(result.trainMetrics.auc == nil)
        #expect(result.trainMetrics.accuracy == 1)
    }

    @Test func regressionFitsASmoothFunction() throws {
        var rng = SplitMix64(seed: 12)
        let x = (0..<5_000).map { _ in rng.unit() * 6 - 3 }
        let frame = Frame(["x": Column(float64: x), "y": Column(float64: x.map { sin($0) })])
        let result = try Trainer.train(
            frame: frame, label: "y", algorithm: .gbdt, parameters: try TrainingParameters(["objective=regression"]))
        #expect(try #require(result.trainMetrics.rmse) < 0.02)
        #expect(near(result.model.predict(row: [1]), sin(1), 0.05))
    }

    @Test func earlyStoppingKeepsTheBestIteration() throws {
        let frame = TestData.withHoldout(TestData.classification(rows: 3_000, seed: 21), every: 4)
        let parameters = try TrainingParameters(["num_iterations=500", "learning_rate=0.3", "early_stopping_round=5", "num_leaves=31", "min_data_in_leaf=2"])
        let result = try Trainer.train(
            frame: frame, label: "label", algorithm: .gbdt, parameters: parameters,
            validation: .indicator(column: "holdout"))
        guard case .trees(let trees) = result.model.content else { return }
        #expect(trees.trees.count < 500)
        #expect(trees.trees.count > 3)
        let noValidation = #expect(throws: TrainingError.self) {
            try Trainer.train(frame: frame, label: "label", algorithm: .gbdt, parameters: parameters)
        }
        #expect(noValidation?.message.contains("early_stopping_round") == true)
    }

    @Test func depthAndLeafLimitsHold() throws {
        let frame = TestData.classification(rows: 3_000, seed: 2)
        let model = try Trainer.train(
            frame: frame, label: "label", algorithm: .gbdt,
            parameters: try TrainingParameters(["num_iterations=5", "num_leaves=31", "max_depth=2", "min_data_in_leaf=100"])).model
        guard case .trees(let trees) = model.content else { return }
        for tree in trees.trees {
            #expect(tree.numLeaves <= 4)
            #expect(tree.leafCount.allSatisfy { $0 >= 100 })
        }
    }

    @Test func predictionsSurviveTheArtifact() throws {
        let frame = TestData.classification(rows: 2_000, nullShare: 0.1, seed: 6)
        let model = try Trainer.train(frame: frame, label: "label", algorithm: .gbdt).model
        let copy = try Model(artifact: model.artifact())
        #expect(copy == model)
        #expect(try copy.predict(frame) == (try model.predict(frame)))
        #expect(copy.artifact() == model.artifact())
    }

    /// 60 000 rows reach every histogram path (column-wise dense leaves, row-wise leaves in two
    /// chunks, the feature-subset path) and the chunked partition; the trees must not depend on
    /// the thread count, and the export must still agree.
    @Test(arguments: [1.0, 0.7])
    func largeDataGivesTheSameTreesOnAnyThreadCount(featureFraction: Double) throws {
        let frame = TestData.classification(rows: 60_000, features: 8, nullShare: 0.02, seed: 41)
        func model(_ threads: Int) throws -> Model {
            try Trainer.train(
                frame: frame, label: "label", algorithm: .gbdt,
                parameters: try TrainingParameters([
                    "num_iterations=8", "num_threads=\(threads)", "feature_fraction=\(featureFraction)",
                    "bagging_fraction=0.9", "seed=3",
                ])
            ).model
        }
        let one = try model(1)
        let three = try model(3)
        // The artifacts differ only in the recorded num_threads.
        #expect(one.content == three.content)
        let reference = try LightGBMTextModel(try one.lightGBMText())
        var rng = SplitMix64(seed: 5)
        for _ in 0..<500 {
            let row = (0..<8).map { _ in rng.chance(0.05) ? Double.nan : rng.normal() }
            #expect(reference.predict(row) == one.predict(row: row))
        }
    }
}

import StrataColumnar
import Testing
@testable import StrataTraining

@Suite struct TrainingDataTests {
    @Test func missingLabelColumnNamesItAndTheColumns() {
        let frame = Frame(["a": Column(float64: [1, 2]), "b": Column(float64: [3, 4])])
        let error = #expect(throws: TrainingError.self) { try Trainer.train(frame: frame, label: "y", algorithm: .gbdt) }
        #expect(error?.code == .missingColumn)
        #expect(error?.message == "label column 'y' is not in the frame; its columns are: a, b")
    }

    @Test func featuresDefaultToNumericColumnsButTheLabel() throws {
        let frame = Frame([
            "id": Column(string: ["a", "b"]), "ts": Column(timestamp: [1, 2]), "f": Column(float32: [1, 2]),
            "flag": Column(bool: [true, false]), "n": Column(int32: [nil, 3]), "y": Column(int64: [0, 1]),
        ])
        let data = try TrainingData(frame: frame, label: "y")
        #expect(data.featureNames == ["f", "flag", "n"])
        #expect(data.features[2][1] == 3)
        #expect(data.features[2][0].isNaN)
        #expect(data.features[1][0] == 1)
        #expect(data.labels == [0, 1])
    }

    @Test func stringFeaturesAndNullLabelsAreRejected() {
        let frame = Frame(["s": Column(string: ["a", "b"]), "y": Column(float64: [0, nil])])
        let feature = #expect(throws: TrainingError.self) { try TrainingData(frame: frame, label: "y", features: ["s"]) }
        #expect(feature?.message == "feature column 's' is of type string; expected float64, float32, int64, int32 or bool")
        let label = #expect(throws: TrainingError.self) {
            try TrainingData(frame: frame.adding("x", Column(float64: [1, 2])), label: "y", features: ["x"])
        }
        #expect(label?.message == "label column 'y' has 1 null values (first at row 1)")
        let absent = #expect(throws: TrainingError.self) { try TrainingData(frame: frame, label: "y", features: ["nope"]) }
        #expect(absent?.code == .missingColumn)
    }

    @Test func splitByTimeSendsLaterRowsToValidation() throws {
        let frame = Frame([
            "t": Column(timestamp: [10, 20, 30, 40, 50]), "x": Column(float64: [1, 2, 3, 4, 5]),
            "y": Column(float64: [0, 1, 0, 1, 1]),
        ])
        let (train, validation) = try ValidationSplit.fromTime(column: "t", micros: 30).split(frame)
        #expect(train["x"]!.float64Values == [1, 2])
        #expect(validation["x"]!.float64Values == [3, 4, 5])
        let empty = #expect(throws: TrainingError.self) { try ValidationSplit.fromTime(column: "t", micros: 99).split(frame) }
        #expect(empty?.code == .insufficientData)
        let wrongType = #expect(throws: TrainingError.self) { try ValidationSplit.fromTime(column: "x", micros: 3).split(frame) }
        #expect(wrongType?.message == "validation time column 'x' is of type float64; expected timestamp")
    }

    @Test func splitByIndicatorDropsTheIndicator() throws {
        let frame = Frame(["x": Column(float64: [1, 2, 3]), "v": Column(bool: [false, true, false]), "y": Column(float64: [0, 1, 0])])
        let (train, validation) = try ValidationSplit.indicator(column: "v").split(frame)
        #expect(train.names == ["x", "y"] && validation.names == ["x", "y"])
        #expect(train["x"]!.float64Values == [1, 3] && validation["x"]!.float64Values == [2])
        let bad = Frame(["v": Column(float64: [0, 0.5]), "y": Column(float64: [0, 1])])
        let error = #expect(throws: TrainingError.self) { try ValidationSplit.indicator(column: "v").split(bad) }
        #expect(error?.message == "validation column 'v' has value 0.5 at row 1; expected 0 or 1")
    }

    @Test func predictNeedsTheFeatureColumns() throws {
        let frame = TestData.classification(rows: 500, features: 3, seed: 1)
        let model = try Trainer.train(frame: frame, label: "label", algorithm: .logistic).model
        let error = #expect(throws: TrainingError.self) { try model.predict(frame.selecting(["x0", "x1"])) }
        #expect(error?.code == .missingColumn)
    }
}

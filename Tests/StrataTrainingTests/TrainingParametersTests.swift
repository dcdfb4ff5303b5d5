import Testing
@testable import StrataTraining

@Suite struct TrainingParametersTests {
    @Test func parsesLightGBMNamesAndAliases() throws {
        let p = try TrainingParameters([
            "num_iterations=50", "num_leaves = 15", "eta=0.05", "max_depth=4", "min_child_samples=5",
            "reg_lambda=2.5", "subsample=0.8", "colsample_bytree=0.5", "early_stopping_round=10",
            "n_jobs=2", "random_state=7", "objective=regression", "max_bin=63", "verbose=-1",
        ])
        #expect(p.numIterations == 50 && p.numLeaves == 15 && p.learningRate == 0.05 && p.maxDepth == 4)
        #expect(p.minDataInLeaf == 5 && p.lambdaL2 == 2.5 && p.baggingFraction == 0.8)
        #expect(p.featureFraction == 0.5 && p.earlyStoppingRound == 10 && p.numThreads == 2 && p.seed == 7)
        #expect(p.objective == .regression && p.maxBin == 63)
        #expect(p.resolvedBaggingFrequency == 1)
        #expect(TrainingParameters().resolvedLambdaL2(for: .logistic) == 1)
        #expect(TrainingParameters().resolvedLambdaL2(for: .gbdt) == 0)
    }

    @Test func unknownKeyNamesTheKeyAndTheChoices() {
        let error = #expect(throws: TrainingError.self) { try TrainingParameters(["num_leafs=31"]) }
        #expect(error?.code == .unknownParameter)
        #expect(error?.message.contains("'num_leafs'") == true)
        #expect(error?.message.contains("num_leaves") == true)
    }

    @Test(arguments: [
        ("num_leaves=1", "an integer from 2 to 131072"),
        ("num_leaves=many", "an integer from 2 to 131072"),
        ("learning_rate=0", "a number greater than 0"),
        ("learning_rate=nan", "a number greater than 0"),
        ("bagging_fraction=1.5", "a number in (0, 1]"),
        ("lambda_l2=-1", "a number of at least 0"),
        ("max_bin=300", "an integer from 2 to 255"),
        ("objective=multiclass", "'binary' or 'regression'"),
        ("min_data_in_leaf=2.5", "an integer from 0 to 2147483647"),
        ("min_data_in_leaf=9223372036854775807", "an integer from 0 to 2147483647"),
        ("early_stopping_round=4611686018427387904", "an integer from 0 to 2147483647"),
        ("bagging_freq=2147483648", "an integer from 0 to 2147483647"),
        ("max_depth=-9223372036854775808", "an integer from -2147483648 to 2147483647"),
    ])
    func badValueNamesKeyValueAndExpectation(setting: String, expected: String) {
        let error = #expect(throws: TrainingError.self) { try TrainingParameters([setting]) }
        let key = String(setting.prefix { $0 != "=" })
        let value = String(setting.drop { $0 != "=" }.dropFirst())
        #expect(error?.code == .invalidParameter)
        #expect(error?.message == "parameter '\(key)' has value '\(value)'; expected \(expected)")
    }

    @Test func settingWithoutEqualsIsAnError() {
        let error = #expect(throws: TrainingError.self) { try TrainingParameters(["num_leaves"]) }
        #expect(error?.message.contains("key=value") == true)
    }

    @Test func settingsListResolvedDefaults() {
        let settings = TrainingParameters().lightGBMSettings(for: .gbdt)
        #expect(settings.map(\.key) == settings.map(\.key).sorted())
        #expect(settings.first { $0.key == "num_leaves" }?.value == "31")
        #expect(settings.first { $0.key == "objective" }?.value == "binary")
    }
}

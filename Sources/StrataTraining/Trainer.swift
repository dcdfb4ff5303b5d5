import Foundation
import StrataColumnar

/// A trained model with its metrics and training time.
public struct TrainingResult: Sendable {
    /// The model.
    public let model: Model
    /// Metrics on the training rows.
    public let trainMetrics: MetricReport
    /// Metrics on the validation rows, when there were any.
    public let validationMetrics: MetricReport?
    /// Wall-clock seconds spent fitting (data preparation included, metrics excluded).
    public let trainSeconds: Double
}

/// Trains models from frames: the entry point for the CLI and the server.
public enum Trainer {
    /// Fits `algorithm` to `frame`'s `features` (by default every numeric and bool column but the
    /// label) and `label`, validating on the rows `validation` sets aside, and reports metrics.
    ///
    /// The same data, parameters and seed always give a bit-identical model (and artifact).
    /// - Throws: `TrainingError` for missing or unusable columns, bad labels or parameters.
    public static func train(
        frame: Frame, label: String, features: [String]? = nil, algorithm: Algorithm,
        parameters: TrainingParameters = TrainingParameters(), validation: ValidationSplit? = nil
    ) throws -> TrainingResult {
        let start = DispatchTime.now().uptimeNanoseconds
        var trainFrame = frame
        var validFrame: Frame?
        if let validation {
            (trainFrame, validFrame) = try validation.split(frame)
        }
        let train = try TrainingData(frame: trainFrame, label: label, features: features)
        let valid = try validFrame.map { try TrainingData(frame: $0, label: label, features: train.featureNames) }
        let model = try fit(train, algorithm: algorithm, parameters: parameters, validation: valid)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let trainMetrics = MetricReport(
            objective: model.objective, labels: train.labels, predictions: try model.predict(trainFrame, threads: parameters.numThreads))
        let validationMetrics = try validFrame.map { frame in
            MetricReport(objective: model.objective, labels: valid!.labels, predictions: try model.predict(frame, threads: parameters.numThreads))
        }
        return TrainingResult(model: model, trainMetrics: trainMetrics, validationMetrics: validationMetrics, trainSeconds: seconds)
    }

    /// Fits `algorithm` to prepared data; `validation` drives early stopping for `gbdt`.
    /// - Throws: `TrainingError` for bad labels or parameters.
    public static func fit(
        _ train: TrainingData, algorithm: Algorithm, parameters: TrainingParameters = TrainingParameters(),
        validation: TrainingData? = nil
    ) throws -> Model {
        let objective = parameters.resolvedObjective(for: algorithm)
        switch (algorithm, objective) {
        case (.logistic, .regression):
            throw TrainingError(.invalidParameter, "parameter 'objective' has value 'regression'; logistic regression expects 'binary'")
        case (.linear, .binary):
            throw TrainingError(.invalidParameter, "parameter 'objective' has value 'binary'; linear regression expects 'regression' (use --algorithm logistic)")
        default: break
        }
        let settings = Dictionary(uniqueKeysWithValues: parameters.lightGBMSettings(for: algorithm).map { ($0.key, $0.value) })
        if algorithm != .gbdt {
            try train.rejectInfinities(algorithm: algorithm)
            try validation?.rejectInfinities(algorithm: algorithm)
        }
        let content: Model.Content
        switch algorithm {
        case .gbdt:
            let (trees, mappers) = try GBDTTrainer(parameters: parameters, objective: objective).fit(train, validation: validation)
            content = .trees(TreeModel(
                trees: trees, binUpperBounds: mappers.map(\.upperBounds), featureRanges: featureRanges(train)))
        case .logistic:
            content = .linear(try LogisticTrainer(parameters: parameters).fit(train))
        case .linear:
            content = .linear(try LinearTrainer(parameters: parameters).fit(train))
        }
        let model = Model(
            algorithm: algorithm, objective: objective, parameters: settings, featureNames: train.featureNames,
            labelName: train.labelName, content: content)
        // Values near ±1e308 can overflow the arithmetic of any algorithm; a model must hold finite
        // numbers only (its artifact is JSON), so such a fit is reported instead of stored.
        guard model.isFinite else {
            throw TrainingError(
                .numericalFailure,
                "training \(algorithm.rawValue) produced a non-finite number: feature or label values are too large "
                    + "for double-precision arithmetic (near ±1e308); rescale them")
        }
        return model
    }

    private static func featureRanges(_ data: TrainingData) -> [ClosedRange<Double>?] {
        (0..<data.featureNames.count).map { f in
            data.withFeature(f) { values in
                var low = Double.infinity
                var high = -Double.infinity
                for x in values where !x.isNaN {
                    low = Swift.min(low, BinMapper.finite(x))
                    high = Swift.max(high, BinMapper.finite(x))
                }
                return low <= high ? low...high : nil
            }
        }
    }
}

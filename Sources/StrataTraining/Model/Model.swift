import Foundation
import StrataColumnar

/// A trained model: what it is, what it reads and how it predicts.
///
/// Holds the algorithm and objective, the resolved parameters (LightGBM's names), the feature
/// names in the order rows are read, the preprocessing (bin bounds for trees, standardisation for
/// linear models) and the fitted trees or coefficients. `artifact()` is a stable serialisation:
/// the same model always gives the same bytes.
public struct Model: Sendable {
    /// The fitted content of a model.
    public enum Content: Sendable, Hashable {
        /// Boosted trees with the bin bounds they were trained on.
        case trees(TreeModel)
        /// Coefficients on standardised features.
        case linear(LinearCoefficients)
    }

    /// The model family.
    public let algorithm: Algorithm
    /// What the model predicts.
    public let objective: Objective
    /// The parameters it was trained with, by LightGBM name, defaults resolved.
    public let parameters: [String: String]
    /// The feature names, in the order `predict(row:)` reads values.
    public let featureNames: [String]
    /// The name of the label column it was trained on.
    public let labelName: String
    /// The fitted trees or coefficients.
    public let content: Content
    private let ensemble: TreeEnsemble?

    /// Assembles a model.
    public init(
        algorithm: Algorithm, objective: Objective, parameters: [String: String], featureNames: [String],
        labelName: String, content: Content
    ) {
        self.algorithm = algorithm
        self.objective = objective
        self.parameters = parameters
        self.featureNames = featureNames
        self.labelName = labelName
        self.content = content
        if case .trees(let trees) = content {
            ensemble = TreeEnsemble(trees.trees)
        } else {
            ensemble = nil
        }
    }

    /// The model's prediction for one row of feature values in `featureNames` order, NaN for
    /// missing: a probability for the binary objective, a value for regression.
    /// - Complexity: O(trees × depth) or O(features).
    @inline(__always)
    public func predict(row: UnsafeBufferPointer<Double>) -> Double {
        precondition(row.count == featureNames.count, "A row of \(row.count) values for \(featureNames.count) features")
        let raw = rawScore(row.baseAddress!)
        return objective == .binary ? 1 / (1 + Foundation.exp(-raw)) : raw
    }

    /// The model's prediction for one row of feature values in `featureNames` order, NaN for missing.
    public func predict(row: [Double]) -> Double {
        row.withUnsafeBufferPointer { predict(row: $0) }
    }

    /// The raw score of one row: the sum of tree outputs or the linear predictor (log-odds for
    /// the binary objective).
    @inline(__always)
    func rawScore(_ row: UnsafePointer<Double>) -> Double {
        if let ensemble { return ensemble.rawScore(row) }
        guard case .linear(let linear) = content else { preconditionFailure("A tree model without its ensemble") }
        return linear.linearPredictor(row)
    }

    /// Predictions for every row of `frame`, which must hold every feature column (by name, of a
    /// numeric or bool type; nulls are missing values).
    /// - Throws: `TrainingError` when a feature column is missing or of the wrong type.
    /// - Complexity: O(rows × cost of one row), on all cores.
    public func predict(_ frame: Frame, threads: Int = 0) throws -> [Double] {
        let matrix = try TrainingData.matrix(frame, featureNames, layout: .rowMajor)
        if case .linear = content, let position = matrix.values.firstIndex(where: { $0.isInfinite }) {
            let width = Swift.max(featureNames.count, 1)
            throw TrainingError(
                .invalidColumn,
                "feature '\(featureNames[position % width])' is \(matrix.values[position]) at row \(position / width + 1); "
                    + "\(algorithm.rawValue) models need finite values or null")
        }
        let n = matrix.rowCount
        let width = featureNames.count
        let pool = WorkerPool(threads: threads)
        return [Double](uninitializedCount: n) { out, initialized in
            let shared = UncheckedSendable(out)
            matrix.values.withUnsafeBufferPointer { values in
                pool.forEachChunk(count: n, chunks: pool.workers * 8) { _, range in
                    for row in range {
                        let raw = rawScore(values.baseAddress! + row * width)
                        shared.value[row] = objective == .binary ? 1 / (1 + Foundation.exp(-raw)) : raw
                    }
                }
            }
            initialized = n
        }
    }

    /// The metrics of this model's predictions on `frame` against its label column.
    public func evaluate(_ frame: Frame) throws -> MetricReport {
        guard let column = frame[labelName] else {
            throw TrainingError(.missingColumn, "label column '\(labelName)' is not in the frame")
        }
        let labels = try TrainingData.labelValues(column, name: labelName)
        return MetricReport(objective: objective, labels: labels, predictions: try predict(frame))
    }
}

extension Model: Equatable {
    /// Whether two models have the same content, parameters and features.
    public static func == (lhs: Model, rhs: Model) -> Bool {
        lhs.algorithm == rhs.algorithm && lhs.objective == rhs.objective && lhs.parameters == rhs.parameters
            && lhs.featureNames == rhs.featureNames && lhs.labelName == rhs.labelName && lhs.content == rhs.content
    }
}

/// Boosted trees and the preprocessing they were trained with.
public struct TreeModel: Sendable, Hashable, Codable {
    /// The trees, in boosting order; the first holds the base score in its leaves.
    public let trees: [DecisionTree]
    /// Per feature, the upper bounds of its value bins (the last bin is unbounded).
    public let binUpperBounds: [[Double]]
    /// Per feature, the smallest and largest training value, nil when all were missing.
    public let featureRanges: [ClosedRange<Double>?]
}

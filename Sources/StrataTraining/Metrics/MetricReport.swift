/// The metrics of one model on one data set: AUC, log-loss and accuracy for binary models; RMSE,
/// MAE and R² for regression models. Undefined metrics (AUC of one class) are nil.
public struct MetricReport: Sendable, Hashable, Codable {
    /// The number of rows evaluated.
    public var rows: Int
    /// Area under the ROC curve (binary).
    public var auc: Double?
    /// Mean log-loss (binary).
    public var logLoss: Double?
    /// Accuracy at probability 0.5 (binary).
    public var accuracy: Double?
    /// Root mean squared error (regression).
    public var rmse: Double?
    /// Mean absolute error (regression).
    public var mae: Double?
    /// Coefficient of determination (regression).
    public var r2: Double?

    enum CodingKeys: String, CodingKey {
        case rows, auc, logLoss = "log_loss", accuracy, rmse, mae, r2
    }

    /// The metrics that fit `objective` for `predictions` (probabilities or values) against `labels`.
    public init(objective: Objective, labels: [Double], predictions: [Double]) {
        rows = labels.count
        switch objective {
        case .binary:
            auc = Metrics.auc(labels: labels, scores: predictions)
            logLoss = Metrics.logLoss(labels: labels, probabilities: predictions)
            accuracy = Metrics.accuracy(labels: labels, probabilities: predictions)
        case .regression:
            rmse = Metrics.rmse(labels: labels, predictions: predictions)
            mae = Metrics.mae(labels: labels, predictions: predictions)
            r2 = Metrics.r2(labels: labels, predictions: predictions)
        }
    }

    /// The defined metrics as (name, value) pairs in a fixed order, for printing.
    public var values: [(name: String, value: Double)] {
        let all: [(String, Double?)] = [
            ("auc", auc), ("log_loss", logLoss), ("accuracy", accuracy), ("rmse", rmse), ("mae", mae), ("r2", r2),
        ]
        return all.compactMap { name, value in value.map { (name: name, value: $0) } }
    }
}

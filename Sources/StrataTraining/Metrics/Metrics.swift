import Foundation

/// Evaluation metrics for predictions against labels.
public enum Metrics {
    /// The area under the ROC curve of `scores` for 0/1 `labels`, ties counted half (the
    /// Mann–Whitney statistic); nil when only one class is present.
    /// - Complexity: O(n log n).
    public static func auc(labels: [Double], scores: [Double]) -> Double? {
        precondition(labels.count == scores.count, "\(labels.count) labels for \(scores.count) scores")
        let order = scores.indices.sorted { scores[$0] < scores[$1] }
        var positives = 0.0
        var rankSum = 0.0
        var i = 0
        while i < order.count {
            var j = i
            while j + 1 < order.count && scores[order[j + 1]] == scores[order[i]] { j += 1 }
            let averageRank = Double(i + j) / 2 + 1
            for k in i...j where labels[order[k]] == 1 {
                positives += 1
                rankSum += averageRank
            }
            i = j + 1
        }
        let negatives = Double(order.count) - positives
        guard positives > 0 && negatives > 0 else { return nil }
        return (rankSum - positives * (positives + 1) / 2) / (positives * negatives)
    }

    /// The mean log-loss of probabilities for 0/1 labels, probabilities clipped to [1e-15, 1 − 1e-15].
    public static func logLoss(labels: [Double], probabilities: [Double]) -> Double {
        precondition(labels.count == probabilities.count, "\(labels.count) labels for \(probabilities.count) scores")
        var total = 0.0
        for i in labels.indices {
            let p = Swift.min(Swift.max(probabilities[i], 1e-15), 1 - 1e-15)
            total -= labels[i] * Foundation.log(p) + (1 - labels[i]) * Foundation.log(1 - p)
        }
        return total / Double(Swift.max(labels.count, 1))
    }

    /// The share of rows whose probability falls on the side of `threshold` its label is on
    /// (probability ≥ threshold predicts 1).
    public static func accuracy(labels: [Double], probabilities: [Double], threshold: Double = 0.5) -> Double {
        precondition(labels.count == probabilities.count, "\(labels.count) labels for \(probabilities.count) scores")
        var correct = 0
        for i in labels.indices where (probabilities[i] >= threshold ? 1.0 : 0.0) == labels[i] { correct += 1 }
        return Double(correct) / Double(Swift.max(labels.count, 1))
    }

    /// The root mean squared error.
    public static func rmse(labels: [Double], predictions: [Double]) -> Double {
        precondition(labels.count == predictions.count, "\(labels.count) labels for \(predictions.count) predictions")
        var total = 0.0
        for i in labels.indices { total += (predictions[i] - labels[i]) * (predictions[i] - labels[i]) }
        return (total / Double(Swift.max(labels.count, 1))).squareRoot()
    }

    /// The mean absolute error.
    public static func mae(labels: [Double], predictions: [Double]) -> Double {
        precondition(labels.count == predictions.count, "\(labels.count) labels for \(predictions.count) predictions")
        var total = 0.0
        for i in labels.indices { total += abs(predictions[i] - labels[i]) }
        return total / Double(Swift.max(labels.count, 1))
    }

    /// The coefficient of determination, 1 − SS_res / SS_tot; nil when the labels are constant.
    public static func r2(labels: [Double], predictions: [Double]) -> Double? {
        precondition(labels.count == predictions.count, "\(labels.count) labels for \(predictions.count) predictions")
        guard !labels.isEmpty else { return nil }
        let mean = labels.reduce(0, +) / Double(labels.count)
        var residual = 0.0
        var spread = 0.0
        for i in labels.indices {
            residual += (labels[i] - predictions[i]) * (labels[i] - predictions[i])
            spread += (labels[i] - mean) * (labels[i] - mean)
        }
        return spread == 0 ? nil : 1 - residual / spread
    }
}

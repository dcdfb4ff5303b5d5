import Foundation
import Testing
@testable import StrataTraining

@Suite struct MetricsTests {
    /// Pairs (positive, negative) with positive scored higher: 5 of 6, one tie counted half.
    @Test func aucCountsOrderedPairsAndHalfTies() throws {
        let labels: [Double] = [0, 0, 1, 1, 0, 1]
        let scores: [Double] = [0.1, 0.4, 0.35, 0.8, 0.35, 0.9]
        // Positives 0.35, 0.8, 0.9 against negatives 0.1, 0.4, 0.35:
        // 0.35: beats 0.1, loses to 0.4, ties 0.35 → 1.5; 0.8 → 3; 0.9 → 3. Total 7.5 of 9.
        let auc = try #require(Metrics.auc(labels: labels, scores: scores))
        #expect(near(auc, 7.5 / 9, 1e-15))
        #expect(Metrics.auc(labels: [1, 1], scores: [0.2, 0.3]) == nil)
    }

    @Test func logLossAndAccuracy() {
        let labels: [Double] = [1, 0, 1, 0]
        let p: [Double] = [0.9, 0.2, 0.4, 0.5]
        let expected = -(log(0.9) + log(0.8) + log(0.4) + log(0.5)) / 4
        #expect(near(Metrics.logLoss(labels: labels, probabilities: p), expected, 1e-15))
        // 0.5 predicts 1, so the last row is wrong, as is 0.4 for a positive.
        #expect(Metrics.accuracy(labels: labels, probabilities: p) == 0.5)
        #expect(Metrics.logLoss(labels: [1], probabilities: [0]) > 34)
    }

    @Test func regressionMetrics() throws {
        let labels: [Double] = [3, -0.5, 2, 7]
        let predictions: [Double] = [2.5, 0, 2, 8]
        // Residuals 0.5, −0.5, 0, −1: squares 0.25, 0.25, 0, 1.
        #expect(near(Metrics.rmse(labels: labels, predictions: predictions), (1.5 / 4).squareRoot(), 1e-15))
        #expect(near(Metrics.mae(labels: labels, predictions: predictions), 0.5, 1e-15))
        // Mean 2.875; SS_tot = 0.015625 + 11.390625 + 0.765625 + 17.015625 = 29.1875.
        let r2 = try #require(Metrics.r2(labels: labels, predictions: predictions))
        #expect(near(r2, 1 - 1.5 / 29.1875, 1e-15))
        #expect(Metrics.r2(labels: [1, 1], predictions: [1, 2]) == nil)
    }

    @Test func reportPicksMetricsByObjective() {
        let binary = MetricReport(objective: .binary, labels: [0, 1], predictions: [0.3, 0.6])
        #expect(binary.auc == 1 && binary.accuracy == 1 && binary.rmse == nil)
        #expect(binary.values.map(\.name) == ["auc", "log_loss", "accuracy"])
        let regression = MetricReport(objective: .regression, labels: [1, 2], predictions: [1, 2])
        #expect(regression.rmse == 0 && regression.r2 == 1 && regression.auc == nil)
    }
}

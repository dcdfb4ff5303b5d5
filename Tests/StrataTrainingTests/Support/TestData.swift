import Foundation
import StrataColumnar


/// Whether `a` and `b` differ by at most `tolerance`.
func near(_ a: Double, _ b: Double, _ tolerance: Double) -> Bool { abs(a - b) <= tolerance }

enum TestData {
    /// A binary classification frame: `features` standard-normal float64 columns `x0, x1, ...`
    /// (with `nullShare` of each set null) and a 0/1 `label` from a nonlinear function plus noise.
    static func classification(rows: Int, features: Int = 6, nullShare: Double = 0, seed: UInt64 = 1) -> Frame {
        var rng = SplitMix64(seed: seed)
        var columns = [[Double?]](repeating: [], count: features)
        var labels: [Bool] = []
        for _ in 0..<rows {
            var x = [Double](repeating: 0, count: features)
            for f in 0..<features {
                x[f] = rng.normal()
                columns[f].append(rng.chance(nullShare) ? nil : x[f])
            }
            let signal = 1.5 * x[0] - x[1 % features] + (x[2 % features] > 0.5 ? 1.2 : -0.4) + 0.8 * x[0] * x[3 % features]
            labels.append(signal + 0.5 * rng.normal() > 0.3)
        }
        var names = (0..<features).map { "x\($0)" }
        var cols = columns.map { Column(float64: $0) }
        names.append("label")
        cols.append(Column(bool: labels))
        return Frame(names: names, columns: cols)
    }

    /// `frame` with a 0/1 int64 column `holdout` marking every `every`-th row.
    static func withHoldout(_ frame: Frame, every: Int) -> Frame {
        frame.adding("holdout", Column(int64: (0..<frame.rowCount).map { Int64($0 % every == 0 ? 1 : 0) }))
    }
}

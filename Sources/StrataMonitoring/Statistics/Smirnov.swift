import Foundation

/// The one-sided Kolmogorov–Smirnov (Smirnov) distribution: `P(D⁺ₙ ≥ x)`, scipy's
/// `special.smirnov(n, x)`, by the Birnbaum–Tingey sum.
enum Smirnov {
    /// Below this, `exp` underflows to zero (Cephes' `MINLOG`).
    static let minimumLog = -745.1332191019412
    /// Above this `n`, scipy uses an approximation instead of the exact sum.
    static let maximumExactN = 1_000_000

    /// `P(D⁺ₙ ≥ x)` for `0 ≤ x ≤ 1`.
    ///
    /// Sums `x · C(n, v) (x + v/n)^(v−1) (1 − x − v/n)^(n−v)` for `v = 0 … ⌊n(1 − x)⌋` as scipy's
    /// `smirnov` does, stopping where it stops; each term is formed in logarithms from
    /// fused-multiply-add bases, which keeps it to about 1e-11 relative where scipy uses
    /// double-double arithmetic.
    /// - Complexity: O(n) terms at most.
    static func survival(n: Int, x: Double) -> Double {
        guard n > 0, x >= 0, x <= 1 else { return .nan }
        if n == 1 { return 1 - x }
        if x == 0 { return 1 }
        if x == 1 { return 0 }
        let count = Double(n)
        var floorNX = (count * x).rounded(.down)
        // n·x − ⌊n·x⌋ with one rounding, so that the fraction is exact even where n·x rounds up.
        var alpha = (-floorNX).addingProduct(count, x)
        if alpha < 0 {
            floorNX -= 1
            alpha += 1
        }
        if alpha >= 1 {
            floorNX += 1
            alpha = 0
        }
        let nxFloor = Int(floorNX)
        var lastTerm = n - nxFloor - (alpha == 0 ? 0 : 1)
        if alpha == 0 { lastTerm -= 1 }
        if nxFloor == 0 || (nxFloor == 1 && alpha == 0) {
            let cdf = x * exp(Double(n - 1) * log1p(x))
            return 1 - cdf
        }
        if -2 * count * x * x < minimumLog { return 0 }
        if nxFloor >= n - 1 { return exp(count * log1p(-x)) }
        if n > maximumExactN {
            let logP = -pow(6 * count * x + 1, 2) / 18 / count
            return logP < -M_LN2 ? exp(logP) : 1 + expm1(logP)
        }
        let terms = lastTerm + 1
        let middle = n / 2
        let logX = log(x)
        // v = 0: (1 − x)^n / x.
        var sum = exp(count * log1p(-x) - logX)
        // log C(n, v), grown by one ratio per term and carried in two parts: for n in the hundreds
        // of thousands the logarithms reach ±10⁵, where a plain running sum would drift by 1e-8.
        var logBinomial = CompensatedSum()
        var v = 1
        while v < terms {
            logBinomial.add(log(Double(n - v + 1) / Double(v)))
            let low = Double(v).addingProduct(count, x) / count
            let high = Double(n - v).addingProduct(-count, x) / count
            var exponent = logBinomial
            exponent.addProduct(Double(v - 1), log(low))
            exponent.addProduct(Double(n - v), log(high))
            let term = exp(exponent.value)
            if term.isFinite && term != 0 { sum += term }
            if term != 0 {
                if 4 * Double(terms - v) * abs(term) < Double.ulpOfOne * sum && v != terms - 1 { break }
            } else if v > middle {
                break
            }
            v += 1
        }
        return min(max(x * sum, 0), 1)
    }
}

/// A sum kept as a value and the rounding error it has shed (Knuth's two-sum), so that adding many
/// terms, or terms that cancel, loses nothing beyond the last bit of the result.
struct CompensatedSum {
    private var high = 0.0
    private var low = 0.0

    /// The sum.
    var value: Double { high + low }

    mutating func add(_ x: Double) {
        let s = high + x
        let b = s - high
        low += (high - (s - b)) + (x - b)
        high = s
    }

    /// Adds a · b exactly rounded once (the product's own rounding error is kept by an FMA).
    mutating func addProduct(_ a: Double, _ b: Double) {
        let p = a * b
        add(p)
        low += (-p).addingProduct(a, b)
    }
}

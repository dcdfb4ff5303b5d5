import Foundation

/// The special functions behind the p-values: the normal and chi-square distributions, as scipy
/// evaluates them (`scipy.special.ndtr` and `chdtrc`).
enum SpecialFunctions {
    /// The standard normal CDF, formed from `erf`/`erfc` as Cephes' `ndtr` does, so that
    /// `1 - normalCDF(z)` rounds as in scipy.
    static func normalCDF(_ a: Double) -> Double {
        let x = a * 0.5.squareRoot()
        let z = abs(x)
        if z < 0.5.squareRoot() { return 0.5 + 0.5 * erf(x) }
        let y = 0.5 * erfc(z)
        return x > 0 ? 1 - y : y
    }

    /// The chi-square survival function `P(X > x)` with `degreesOfFreedom` (scipy's `chdtrc`):
    /// 1 for negative `x`, NaN for zero degrees of freedom at zero.
    static func chiSquareSurvival(degreesOfFreedom: Double, _ x: Double) -> Double {
        if x < 0 { return 1 }
        return upperRegularizedGamma(degreesOfFreedom / 2, x / 2)
    }

    /// Q(a, x) = Γ(a, x) / Γ(a): a power series for P = 1 − Q below `a + 1`, Legendre's continued
    /// fraction (modified Lentz) above, so that small tails keep their relative precision.
    /// - Complexity: O(√a) terms for `x` near `a`.
    static func upperRegularizedGamma(_ a: Double, _ x: Double) -> Double {
        if x.isNaN || a.isNaN || x < 0 || a < 0 { return .nan }
        if a == 0 { return x > 0 ? 0 : .nan }
        if x == 0 { return 1 }
        if a.isInfinite { return x.isInfinite ? .nan : 1 }
        if x.isInfinite { return 0 }
        let logPrefactor = a * log(x) - x - lgamma(a)
        if x < a + 1 {
            var term = 1 / a
            var sum = term
            var n = 1.0
            while n < 10_000 {
                term *= x / (a + n)
                sum += term
                if abs(term) < abs(sum) * Double.ulpOfOne { break }
                n += 1
            }
            return 1 - sum * exp(logPrefactor)
        }
        let tiny = Double.leastNormalMagnitude / Double.ulpOfOne
        var b = x + 1 - a
        var c = 1 / tiny
        var d = 1 / b
        var h = d
        var i = 1.0
        while i < 10_000 {
            let an = -i * (i - a)
            b += 2
            d = an * d + b
            if abs(d) < tiny { d = tiny }
            c = b + an / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let step = d * c
            h *= step
            if abs(step - 1) < Double.ulpOfOne { break }
            i += 1
        }
        return exp(logPrefactor) * h
    }
}

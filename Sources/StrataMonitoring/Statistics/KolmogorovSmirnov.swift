import Foundation

/// The two-sample Kolmogorov–Smirnov test, two-sided, as `scipy.stats.ks_2samp(a, b)` with its
/// default `method="auto"`: the exact p-value when neither window has more than 10,000 values,
/// Smirnov's asymptotic distribution otherwise (or when the exact sum fails).
enum KolmogorovSmirnov {
    /// Largest window size for which scipy's "auto" computes the exact p-value.
    static let maximumExactSize = 10_000

    /// The statistic D and its p-value for two sorted, non-empty samples.
    ///
    /// D is the largest distance between the two empirical CDFs, evaluated at every value of
    /// either sample (so ties count once, after all equal values); in the exact case it is
    /// rounded to the lattice `h / lcm(m, n)` as scipy does.
    /// - Complexity: O(m + n) for D; the exact p-value is O(m · n) at worst.
    static func test(_ a: UnsafeBufferPointer<Double>, _ b: UnsafeBufferPointer<Double>) -> (statistic: Double, pValue: Double) {
        let n1 = a.count
        let n2 = b.count
        guard n1 > 0, n2 > 0 else { return (.nan, .nan) }
        var i = 0
        var j = 0
        var largest = -Double.infinity
        var smallest = Double.infinity
        while i < n1 || j < n2 {
            let value = j == n2 || (i < n1 && a[i] <= b[j]) ? a[i] : b[j]
            while i < n1 && a[i] <= value { i += 1 }
            while j < n2 && b[j] <= value { j += 1 }
            let difference = Double(i) / Double(n1) - Double(j) / Double(n2)
            largest = max(largest, difference)
            smallest = min(smallest, difference)
        }
        let below = min(max(-smallest, 0), 1)
        var d = below > largest ? below : largest
        if max(n1, n2) <= maximumExactSize {
            let g = gcd(n1, n2)
            let lcm = (n1 / g) * n2
            let h = Int((d * Double(lcm)).rounded(.toNearestOrEven))
            d = Double(h) / Double(lcm)
            if h == 0 { return (d, 1) }
            let p = n1 == n2 ? probabilityOutsideSquare(n: n1, h: h) : probabilityOutside(m: n1, n: n2, g: g, h: h)
            if p.isFinite && p >= 0 && p <= 1 { return (d, p) }
        }
        let (m, n) = n1 >= n2 ? (Double(n1), Double(n2)) : (Double(n2), Double(n1))
        let en = m * n / (m + n)
        let p = KolmogorovDistribution.survival(n: Int(en.rounded(.toNearestOrEven)), x: d)
        return (d, min(max(p, 0), 1))
    }

    /// `P(D_{n,n} ≥ h/n)`: 2 · Σ (−1)^(k−1) C(2n, n − kh) / C(2n, n), each ratio built as a
    /// product of h factors and summed in Horner form, which avoids the cancellation of the
    /// plain alternating sum.
    /// - Complexity: O(n).
    static func probabilityOutsideSquare(n: Int, h: Int) -> Double {
        var p = 0.0
        var k = Int((Double(n) / Double(h)).rounded(.down))
        while k >= 0 {
            var ratio = 1.0
            for j in 0..<h {
                ratio = Double(n - k * h - j) * ratio / Double(n + k * h + j + 1)
            }
            p = ratio * (1 - p)
            k -= 1
        }
        return 2 * p
    }

    /// The share of lattice paths from (0, 0) to (m, n) that leave the band |x/m − y/n| < h/lcm,
    /// by Hodges' inside method in Viehmann's (2021) form that carries 1 − p directly, one column
    /// of the path-count matrix at a time.
    /// - Complexity: O(m · band width).
    static func probabilityOutside(m first: Int, n second: Int, g: Int, h: Int) -> Double {
        let (m, n) = first >= second ? (first, second) : (second, first)
        let mg = m / g
        let ng = n / g
        var minJ = 0
        var maxJ = min(Int((Double(h) / Double(mg)).rounded(.up)), n + 1)
        var currentLength = maxJ - minJ
        let length = min(2 * maxJ + 2, n + 1)
        var column = [Double](repeating: 1, count: length)
        for index in minJ..<min(maxJ, length) { column[index] = 0 }
        for i in 1...m {
            let lastMinJ = minJ
            let lastLength = currentLength
            minJ = max(Int((Double(ng * i - h) / Double(mg)).rounded(.down)) + 1, 0)
            minJ = min(minJ, n)
            maxJ = min(Int((Double(ng * i + h) / Double(mg)).rounded(.up)), n + 1)
            if maxJ <= minJ { return 1 }
            var value = minJ == 0 ? 0.0 : 1.0
            for jj in 0..<(maxJ - minJ) {
                let j = jj + minJ
                let source = jj + minJ - lastMinJ
                let above = source < length ? column[source] : 1
                value = (above * Double(i) + value * Double(j)) / Double(i + j)
                if jj < length { column[jj] = value }
            }
            currentLength = maxJ - minJ
            if lastLength > currentLength {
                var index = maxJ - minJ
                while index < min(maxJ - minJ + lastLength - currentLength, length) {
                    column[index] = 1
                    index += 1
                }
            }
        }
        let last = maxJ - minJ - 1
        return last < length ? column[last] : .nan
    }

    private static func gcd(_ a: Int, _ b: Int) -> Int {
        var (x, y) = (a, b)
        while y != 0 { (x, y) = (y, x % y) }
        return x
    }
}

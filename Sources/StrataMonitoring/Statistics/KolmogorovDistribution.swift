import Foundation

/// The two-sided one-sample Kolmogorov–Smirnov distribution, `P(Dₙ ≥ x)`: scipy's
/// `stats.kstwo.sf(x, n)`, which `ks_2samp` evaluates at `n = round(m·n/(m+n))` for large windows.
///
/// scipy picks among exact and approximate methods by `n` and `n·x²` (Simard and L'Ecuyer,
/// 2011); this follows the same choices and the same arithmetic, so that the p-values agree to
/// about 1e-12.
enum KolmogorovDistribution {
    private static let scaleUp = 0x1p128
    private static let scaleDown = 0x1p-128
    private static let piSquared = pow(Double.pi, 2)
    private static let piFour = pow(Double.pi, 4)
    private static let piSix = pow(Double.pi, 6)
    private static let sqrtTwoPi = (2 * Double.pi).squareRoot()
    private static let logTwoPi = log(2 * Double.pi)

    /// `P(Dₙ ≥ x)` (scipy's `_kolmogn(n, x, cdf=False)`).
    static func survival(n: Int, x: Double) -> Double {
        guard n > 0 else { return .nan }
        if x >= 1 { return 0 }
        if x <= 0 { return 1 }
        let count = Double(n)
        let t = count * x
        if t <= 1 {
            // Ruben and Gambino: the distribution is a single power below 1/n.
            if t <= 0.5 { return 1 }
            let cdf: Double
            if n <= 140 {
                var product = 1.0
                for i in 1...n { product *= Double(i) * (1 / count) * (2 * t - 1) }
                cdf = product
            } else {
                cdf = exp(logFactorialOverPower(n) + count * log(2 * t - 1))
            }
            return clip(1 - cdf)
        }
        if t >= count - 1 { return clip(2 * pow(1 - x, count)) }
        if x >= 0.5 { return clip(2 * Smirnov.survival(n: n, x: x)) }
        let nxSquared = t * x
        if n <= 140 {
            if nxSquared <= 0.754693 { return clip(1 - durbinMatrix(n: n, d: x)) }
            if nxSquared <= 4 { return clip(1 - pomeranz(n: n, x: x)) }
            return clip(2 * Smirnov.survival(n: n, x: x))
        }
        if nxSquared >= 370 { return 0 }
        if nxSquared >= 2.2 { return clip(2 * Smirnov.survival(n: n, x: x)) }
        if n <= 100_000 && count * pow(x, 1.5) <= 1.4 { return clip(1 - durbinMatrix(n: n, d: x)) }
        return clip(1 - pelzGood(n: n, x: x))
    }

    private static func clip(_ p: Double) -> Double { min(max(p, 0), 1) }

    /// log(n! / nⁿ) by Stirling's series.
    private static func logFactorialOverPower(_ n: Int) -> Double {
        let coefficients = [
            -2.955065359477124183e-2, 6.4102564102564102564e-3, -1.9175269175269175269e-3, 8.4175084175084175084e-4,
            -5.952380952380952381e-4, 7.9365079365079365079e-4, -2.7777777777777777778e-3, 8.3333333333333333333e-2,
        ]
        let count = Double(n)
        let rn = 1 / count
        var polynomial = 0.0
        for c in coefficients { polynomial = polynomial * (rn / count) + c }
        return log(count) / 2 - count + logTwoPi / 2 + rn * polynomial
    }

    /// `P(Dₙ < d)` by Durbin's matrix (Marsaglia, Tsang and Wang, 2003): the (k, k) entry of the
    /// n-th power of an m×m matrix, with exponents kept apart so that nothing overflows.
    /// - Complexity: O(m³ log n) for m = 2⌈nd⌉ − 1.
    static func durbinMatrix(n: Int, d: Double) -> Double {
        if d >= 1 { return 1 }
        let nd = Double(n) * d
        if nd <= 0.5 { return 0 }
        let k = Int(nd.rounded(.up))
        let h = Double(k) - nd
        let m = 2 * k - 1
        var v = (1...m).map { 1 - pow(h, Double($0)) }
        var w = [Double](repeating: 0, count: m)
        var factorial = 1.0
        for j in 1...m {
            w[j - 1] = factorial
            factorial /= Double(j)
            v[j - 1] *= factorial
        }
        let tail = pow(max(2 * h - 1, 0), Double(m)) - 2 * pow(h, Double(m))
        v[m - 1] = (1 + tail) * factorial
        var matrix = SquareMatrix(size: m)
        for i in 1..<m {
            for row in (i - 1)..<m { matrix[row, i] = w[row - (i - 1)] }
        }
        for row in 0..<m { matrix[row, 0] = v[row] }
        for column in 0..<m { matrix[m - 1, column] = v[m - 1 - column] }
        var power = SquareMatrix.identity(size: m)
        var remaining = n
        var exponent = 0
        var matrixExponent = 0
        while remaining > 0 {
            if remaining % 2 == 1 {
                power = power * matrix
                exponent += matrixExponent
            }
            matrix = matrix * matrix
            matrixExponent *= 2
            if abs(matrix[k - 1, k - 1]) > scaleUp {
                matrix.scale(by: scaleDown)
                matrixExponent += 128
            }
            remaining /= 2
        }
        var p = power[k - 1, k - 1]
        for i in 1...n {
            p = Double(i) * p / Double(n)
            if abs(p) < scaleDown {
                p *= scaleUp
                exponent -= 128
            }
        }
        if exponent != 0 { p = scalbn(p, exponent) }
        return clip(p)
    }

    /// `P(Dₙ < x)` by Pomeranz's recursion (1974), two rows of convolutions with scaled powers.
    /// - Complexity: O(n · (nx)²).
    static func pomeranz(n: Int, x: Double) -> Double {
        let count = Double(n)
        let t = count * x
        let ll = Int(t.rounded(.down))
        let f = t - Double(ll)
        let g = min(f, 1 - f)
        let ceilF = f > 0 ? 1 : 0
        let roundF = f > 0.5 ? 1 : 0
        let powerCount = 2 * (ll + 1)
        var gPower = [Double](repeating: 1, count: powerCount)
        var twoGPower = [Double](repeating: 1, count: powerCount)
        var oneMinusTwoGPower = [Double](repeating: 1, count: powerCount)
        let gOverN = g / count
        let twoGOverN = 2 * g / count
        let oneMinusTwoGOverN = (1 - 2 * g) / count
        for m in 1..<powerCount {
            gPower[m] = gPower[m - 1] * gOverN / Double(m)
            twoGPower[m] = twoGPower[m - 1] * twoGOverN / Double(m)
            oneMinusTwoGPower[m] = oneMinusTwoGPower[m - 1] * oneMinusTwoGOverN / Double(m)
        }
        func bounds(_ i: Int) -> (Int, Int) {
            var j1: Int
            var j2: Int
            if i == 0 {
                (j1, j2) = (-ll - ceilF - 1, ll + ceilF - 1)
            } else {
                let (half, odd) = ((i + 1) / 2, (i + 1) % 2)
                if odd == 0 {
                    if half == n + 1 {
                        (j1, j2) = (n - ll - ceilF - 1, n + ll + ceilF - 1)
                    } else {
                        (j1, j2) = (half - 1 - ll - roundF - 1, half + ll - 1 + ceilF - 1)
                    }
                } else {
                    (j1, j2) = (half - 1 - ll - 1, half + ll + roundF - 1)
                }
            }
            return (max(j1 + 2, 0), min(j2, n))
        }
        var previous = [Double](repeating: 0, count: powerCount)
        var row = [Double](repeating: 0, count: powerCount)
        row[0] = 1
        var previousStart = 0
        var rowStart = 0
        var exponent = 0
        var (j1, j2) = bounds(0)
        for i in 1..<(2 * n + 2) {
            let k1 = j1
            swap(&previous, &row)
            swap(&previousStart, &rowStart)
            for c in row.indices { row[c] = 0 }
            (j1, j2) = bounds(i)
            let powers = (i == 1 || i == 2 * n + 1) ? gPower : (i % 2 == 1 ? twoGPower : oneMinusTwoGPower)
            let length = j2 - k1 + 1
            guard length > 0 else { continue }
            let from = k1 - previousStart
            let take = max(0, min(length, previous.count - from))
            let powerLength = min(length, powers.count)
            let lengthKept = j2 - j1 + 1
            let skip = j1 - k1
            // The full convolution of previous[from ..< from + take] with powers[0 ..< powerLength]
            // (NumPy's slices, cut at the arrays' ends), entries skip ..< skip + lengthKept of it.
            for out in 0..<min(lengthKept, row.count) {
                let position = skip + out
                var total = 0.0
                let low = max(0, position - powerLength + 1, -from)
                let high = min(position, take - 1)
                if low <= high {
                    for a in low...high { total += previous[from + a] * powers[position - a] }
                }
                row[out] = total
            }
            let largest = row.max() ?? 0
            if largest > 0 && largest < scaleDown {
                for c in row.indices { row[c] *= scaleUp }
                exponent -= 128
            }
            rowStart = previousStart + j1 - k1
        }
        guard row.indices.contains(n - rowStart) else { return .nan }
        var answer = row[n - rowStart]
        for m in 1...n {
            if abs(answer) > scaleUp {
                answer *= scaleDown
                exponent += 128
            }
            answer *= Double(m)
        }
        if exponent != 0 { answer = scalbn(answer, exponent) }
        return clip(answer)
    }

    /// `P(Dₙ < x)` by the Pelz–Good (1976) series in z = x√n with three correction terms.
    static func pelzGood(n: Int, x: Double) -> Double {
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let z = Double(n).squareRoot() * x
        let zSquared = pow(z, 2)
        let zThree = pow(z, 3)
        let zFour = pow(z, 4)
        let zSix = pow(z, 6)
        let qLog = -piSquared / 8 / zSquared
        if qLog < -708 { return 0 }
        var q = exp(qLog)
        let k1a = -zSquared
        let k1b = piSquared / 4
        let k2a = 6 * zSix + 2 * zFour
        let k2b = (2 * zFour - 5 * zSquared) * piSquared / 4
        let k2c = piFour * (1 - 2 * zSquared) / 16
        let k3d = piSix * (5 - 30 * zSquared) / 64
        let k3c = piFour * (-60 * zSquared + 212 * zFour) / 16
        let k3b = piSquared * (135 * zFour - 96 * zSix) / 4
        let k3a = -30 * zSix - 90 * pow(z, 8)
        var terms = [0.0, 0.0, 0.0, 0.0]
        let maxK = Int((16 * z / Double.pi).rounded(.up))
        for k in stride(from: maxK, through: 1, by: -1) {
            let m = Double(2 * k - 1)
            let mSquared = m * m
            let mFour = mSquared * mSquared
            let mSix = mFour * mSquared
            let qPower = pow(q, Double(8 * k))
            let coefficients = [
                1.0, k1a + k1b * mSquared, k2a + k2b * mSquared + k2c * mFour,
                k3a + k3b * mSquared + k3c * mFour + k3d * mSix,
            ]
            for j in 0..<4 { terms[j] = terms[j] * qPower + coefficients[j] }
        }
        let divisors = [z, 6 * zFour, 72 * pow(z, 7), 6480 * pow(z, 10)]
        for j in 0..<4 { terms[j] = terms[j] * q * sqrtTwoPi / divisors[j] }
        q = exp(-piSquared / 2 / zSquared)
        let sqrt3z = 3.0.squareRoot() * z
        var k2extra = 0.0
        var k3extra = 0.0
        for k in stride(from: maxK, through: 1, by: -1) {
            let kSquared = Double(k * k)
            let qPower = pow(q, kSquared)
            let kPi = Double.pi * Double(k)
            k2extra += kSquared * qPower
            k3extra += (sqrt3z + kPi) * (sqrt3z - kPi) * kSquared * qPower
        }
        terms[2] += k2extra * (piSquared * sqrtTwoPi / (-36 * zThree))
        terms[3] += k3extra * (piSquared * sqrtTwoPi / (216 * zSix))
        var sum = 0.0
        for j in 0..<4 { sum += terms[j] / pow(Double(n), Double(j) / 2) }
        return sum
    }
}

/// A dense square matrix for Durbin's method, row-major.
private struct SquareMatrix {
    let size: Int
    private var values: [Double]

    init(size: Int) {
        self.size = size
        values = [Double](repeating: 0, count: size * size)
    }

    static func identity(size: Int) -> SquareMatrix {
        var matrix = SquareMatrix(size: size)
        for i in 0..<size { matrix[i, i] = 1 }
        return matrix
    }

    subscript(row: Int, column: Int) -> Double {
        get { values[row * size + column] }
        set { values[row * size + column] = newValue }
    }

    mutating func scale(by factor: Double) {
        for i in values.indices { values[i] *= factor }
    }

    /// - Complexity: O(size³).
    static func * (a: SquareMatrix, b: SquareMatrix) -> SquareMatrix {
        let n = a.size
        var product = SquareMatrix(size: n)
        a.values.withUnsafeBufferPointer { x in
            b.values.withUnsafeBufferPointer { y in
                product.values.withUnsafeMutableBufferPointer { out in
                    for i in 0..<n {
                        for k in 0..<n {
                            let left = x[i * n + k]
                            if left == 0 { continue }
                            for j in 0..<n { out[i * n + j] += left * y[k * n + j] }
                        }
                    }
                }
            }
        }
        return product
    }
}

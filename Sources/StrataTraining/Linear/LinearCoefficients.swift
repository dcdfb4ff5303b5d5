/// A linear model on standardised features: `intercept + Σ coefficients[f] × standardised x[f]`,
/// passed through the logistic function for the binary objective.
public struct LinearCoefficients: Sendable, Hashable, Codable {
    /// How the features were standardised.
    public let standardization: Standardization
    /// One coefficient per feature, on the standardised scale.
    public let coefficients: [Double]
    /// The intercept on the standardised scale.
    public let intercept: Double

    /// The coefficients on the features' original scale (0 for constant features).
    public var rawCoefficients: [Double] {
        coefficients.indices.map { f in
            standardization.scales[f] == 0 ? 0 : coefficients[f] / standardization.scales[f]
        }
    }

    /// The intercept on the features' original scale.
    public var rawIntercept: Double {
        var b = intercept
        for f in coefficients.indices where standardization.scales[f] != 0 {
            b -= coefficients[f] * standardization.means[f] / standardization.scales[f]
        }
        return b
    }

    /// The linear predictor for one row (missing values count as the training mean).
    @inline(__always)
    func linearPredictor(_ row: UnsafePointer<Double>) -> Double {
        var z = intercept
        for f in coefficients.indices { z += coefficients[f] * standardization.apply(row[f], feature: f) }
        return z
    }
}

/// A drift test, named as Evidently names it, with Evidently's default threshold and drift rule.
public enum DriftMethod: String, Sendable, Hashable, Codable, CaseIterable {
    /// Two-sample Kolmogorov–Smirnov p-value (numerical columns).
    case ks
    /// Pearson's chi-square p-value over the categories of both windows (categorical columns).
    case chisquare
    /// Two-proportion Z-test p-value: the smallest category against the rest (categorical columns).
    case z
    /// First Wasserstein distance divided by the reference's standard deviation (numerical columns).
    case wasserstein
    /// Jensen–Shannon distance between the binned or categorical distributions.
    case jensenshannon
    /// Population stability index between the binned or categorical distributions.
    case psi
    /// Kullback–Leibler divergence of the reference from the current distribution.
    case klDivergence = "kl_div"
    /// Hellinger distance between the binned or categorical distributions.
    case hellinger

    /// Whether the statistic is a p-value (small means drift) rather than a distance.
    public var isPValue: Bool { self == .ks || self == .chisquare || self == .z }

    /// Evidently's default threshold: 0.05 for p-values, 0.1 for distances.
    public var defaultThreshold: Double { isPValue ? 0.05 : 0.1 }

    /// The column kinds Evidently accepts the method for when it is chosen explicitly.
    public var kinds: Set<ColumnKind> {
        switch self {
        case .ks, .wasserstein: [.numerical]
        case .chisquare, .z: [.categorical]
        case .jensenshannon, .psi, .klDivergence, .hellinger: [.numerical, .categorical]
        }
    }

    /// Evidently's verdict: KS drifts at p ≤ threshold, chi-square and Z at p < threshold, the
    /// distances at statistic ≥ threshold; a NaN statistic never drifts.
    public func isDrift(statistic: Double, threshold: Double) -> Bool {
        switch self {
        case .ks: statistic <= threshold
        case .chisquare, .z: statistic < threshold
        case .wasserstein, .jensenshannon, .psi, .klDivergence, .hellinger: statistic >= threshold
        }
    }

    /// A one-line description for reports and help.
    public var summary: String {
        switch self {
        case .ks: "Kolmogorov–Smirnov p-value"
        case .chisquare: "chi-square p-value"
        case .z: "two-proportion Z-test p-value"
        case .wasserstein: "Wasserstein distance (normed)"
        case .jensenshannon: "Jensen–Shannon distance"
        case .psi: "population stability index"
        case .klDivergence: "Kullback–Leibler divergence"
        case .hellinger: "Hellinger distance"
        }
    }
}

import Dispatch
import StrataColumnar

/// Tests every column of a reference window against a current one, as Evidently 0.7.23's
/// `DataDriftPreset` does: the column's kind inferred from the current window, nulls dropped per
/// window, the test chosen by kind, distinct values and reference size unless one is named, and
/// the dataset drifted when at least half the tested columns did. A column with no value in a
/// window is reported `no_data` instead of failing the whole check.
public enum DriftAnalysis {
    /// How a check runs beyond its columns.
    public struct Options: Sendable {
        /// The share of drifted columns at which the dataset counts as drifted.
        public var driftShare: Double
        /// Whether to keep mergeable profiles of both windows (for saving).
        public var collectProfiles: Bool

        public init(driftShare: Double = 0.5, collectProfiles: Bool = false) {
            self.driftShare = driftShare
            self.collectProfiles = collectProfiles
        }
    }

    /// Reference windows larger than this get the distance tests (Evidently's cut).
    static let smallReference = 1000

    /// Tests `columns`, several at once; timestamp columns are not tested (their names are in
    /// the report's `skipped`).
    /// - Throws: `MonitoringError.badMethod` when a named method does not fit a column's kind,
    ///   `.badInput` when a column's windows have types that cannot be compared.
    /// - Complexity: O(n) per column and window (a radix sort), spread over all cores.
    public static func run(
        _ columns: [DriftColumn], reference: DriftReport.Window, current: DriftReport.Window, options: Options = Options()
    ) throws -> DriftReport {
        var results = [Result<ColumnDrift?, Error>](repeating: .success(nil), count: columns.count)
        results.withUnsafeMutableBufferPointer { slots in
            let shared = UncheckedSendable(slots)
            DispatchQueue.concurrentPerform(iterations: columns.count) { index in
                shared.value[index] = Result { try analyze(columns[index], options: options) }
            }
        }
        var tested: [ColumnDrift] = []
        var skipped: [String] = []
        for (index, result) in results.enumerated() {
            if let drift = try result.get() { tested.append(drift) } else { skipped.append(columns[index].name) }
        }
        var report = DriftReport(reference: reference, current: current, columns: tested, driftShare: options.driftShare)
        report.skipped = skipped
        return report
    }

    /// One column's test; nil for a column that is not tested (timestamps). `kind` overrides the
    /// inferred kind, as a caller that knows better (or a test replaying Evidently's) may.
    static func analyze(_ column: DriftColumn, kind forcedKind: ColumnKind? = nil, options: Options) throws -> ColumnDrift? {
        guard let type = ColumnPromotion.commonType(column.reference.type, column.current.type) else {
            throw MonitoringError(
                .badInput,
                "column \(column.name) is \(column.reference.type.rawValue) in the reference and \(column.current.type.rawValue) in the current window; they cannot be compared")
        }
        let reference = ColumnPromotion.convert(column.reference, to: type)
        let current = ColumnPromotion.convert(column.current, to: type)
        guard let kind = forcedKind ?? ColumnKind.infer(type, current: current) else { return nil }
        let prepared = PreparedColumn(reference: reference, current: current)
        let counts = kind == .categorical || type == .string ? prepared.counts() : nil
        var drift: ColumnDrift
        if let counts, kind == .categorical {
            drift = ColumnDrift(
                name: column.name, type: kind, test: nil, statistic: nil, threshold: nil, drifted: false, status: .noData,
                reference: ColumnSummary(labels: counts.labels, counts: counts.reference, rows: prepared.referenceRows),
                current: ColumnSummary(labels: counts.labels, counts: counts.current, rows: prepared.currentRows))
            drift.histogram = DisplayHistogram(counts: counts)
            if options.collectProfiles {
                drift.profiles = (
                    ColumnProfile(labels: counts.labels, counts: counts.reference, rows: prepared.referenceRows),
                    ColumnProfile(labels: counts.labels, counts: counts.current, rows: prepared.currentRows)
                )
            }
        } else {
            let a = prepared.sortedReference ?? []
            let b = prepared.sortedCurrent ?? []
            drift = ColumnDrift(
                name: column.name, type: kind, test: nil, statistic: nil, threshold: nil, drifted: false, status: .noData,
                reference: ColumnSummary(sorted: a, rows: prepared.referenceRows),
                current: ColumnSummary(sorted: b, rows: prepared.currentRows))
            drift.histogram = DisplayHistogram(sortedReference: a, sortedCurrent: b, integer: prepared.isInteger)
            if options.collectProfiles {
                drift.profiles = (
                    ColumnProfile(sorted: a, rows: prepared.referenceRows), ColumnProfile(sorted: b, rows: prepared.currentRows)
                )
            }
        }
        guard prepared.referenceCount > 0, prepared.currentCount > 0 else { return drift }
        let method: DriftMethod
        if let named = column.method {
            guard named.kinds.contains(kind) else {
                let fitting = DriftMethod.allCases.filter { $0.kinds.contains(kind) }.map(\.rawValue).joined(separator: ", ")
                throw MonitoringError(
                    .badMethod,
                    "method \(named.rawValue) does not apply to column \(column.name), which is \(kind.rawValue) (Evidently's rule); for \(kind.rawValue) columns use one of: \(fitting)")
            }
            method = named
        } else {
            method = automaticMethod(kind: kind, referenceCount: prepared.referenceCount, distinct: prepared.distinctCount(limit: 6))
        }
        let threshold = column.threshold ?? method.defaultThreshold
        let statistic = self.statistic(method, kind: kind, prepared: prepared, counts: { counts ?? prepared.counts() })
        drift.test = method
        drift.statistic = statistic
        drift.threshold = threshold
        drift.drifted = method.isDrift(statistic: statistic, threshold: threshold)
        drift.status = .tested
        return drift
    }

    /// Evidently's default test: for references of at most 1,000 values, KS for numbers with more
    /// than five distinct values, else chi-square (more than two) or the Z-test; for larger
    /// references, Wasserstein for numbers with more than five distinct values, else
    /// Jensen–Shannon. Distinct values are counted over both windows.
    static func automaticMethod(kind: ColumnKind, referenceCount: Int, distinct: Int) -> DriftMethod {
        if referenceCount <= smallReference {
            if kind == .numerical && distinct > 5 { return .ks }
            return distinct > 2 ? .chisquare : .z
        }
        return kind == .numerical && distinct > 5 ? .wasserstein : .jensenshannon
    }

    private static func statistic(
        _ method: DriftMethod, kind: ColumnKind, prepared: PreparedColumn, counts: () -> CategoryCounts
    ) -> Double {
        let a = prepared.sortedReference ?? []
        let b = prepared.sortedCurrent ?? []
        let numerical = kind == .numerical && prepared.sortedReference != nil
        func shares(fillZeros: Bool) -> (reference: [Double], current: [Double]) {
            DriftStatistics.binnedShares(
                sortedReference: numerical ? a : nil, sortedCurrent: numerical ? b : nil, counts: counts,
                integer: prepared.isInteger, fillZeros: fillZeros)
        }
        switch method {
        case .ks: return DriftStatistics.ks(a, b).pValue
        case .wasserstein: return DriftStatistics.wasserstein(a, b)
        case .chisquare: return DriftStatistics.chiSquare(counts())
        case .z: return DriftStatistics.z(counts())
        case .jensenshannon:
            let (p, q) = shares(fillZeros: false)
            return DriftStatistics.jensenShannon(p, q)
        case .psi:
            let (p, q) = shares(fillZeros: true)
            return DriftStatistics.psi(p, q)
        case .klDivergence:
            let (p, q) = shares(fillZeros: true)
            return DriftStatistics.klDivergence(p, q)
        case .hellinger:
            if numerical {
                return DriftStatistics.hellinger(a, b, distinct: prepared.distinctValues(), integer: prepared.isInteger)
            }
            return DriftStatistics.hellinger(counts())
        }
    }
}

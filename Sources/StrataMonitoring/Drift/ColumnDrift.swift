/// The drift test of one column: what was run, what it found, and both windows' statistics.
public struct ColumnDrift: Sendable, Codable {
    /// Whether the column could be tested.
    public enum Status: String, Sendable, Hashable, Codable {
        /// Both windows had values and the test ran.
        case tested
        /// A window had no value to test (Evidently's whole report fails here).
        case noData = "no_data"
    }

    public var name: String
    public var type: ColumnKind
    /// The test run; nil when the column could not be tested.
    public var test: DriftMethod?
    /// The test's drift score as Evidently reports it (the p-value for `ks`, `chisquare` and `z`);
    /// nil when not tested or not a number.
    public var statistic: Double?
    public var threshold: Double?
    public var drifted: Bool
    public var status: Status
    public var reference: ColumnSummary
    public var current: ColumnSummary
    /// Both windows binned alike, for the report; not part of the JSON output.
    public var histogram: DisplayHistogram?
    /// Mergeable profiles of both windows, when asked for (to be saved); not part of the JSON output.
    public var profiles: (reference: ColumnProfile, current: ColumnProfile)?

    enum CodingKeys: String, CodingKey {
        case name, type, test, statistic, threshold, drifted, status, reference, current
    }

    public init(
        name: String, type: ColumnKind, test: DriftMethod?, statistic: Double?, threshold: Double?, drifted: Bool,
        status: Status, reference: ColumnSummary, current: ColumnSummary
    ) {
        self.name = name
        self.type = type
        self.test = test
        self.statistic = statistic
        self.threshold = threshold
        self.drifted = drifted
        self.status = status
        self.reference = reference
        self.current = current
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        type = try c.decode(ColumnKind.self, forKey: .type)
        test = try c.decodeIfPresent(DriftMethod.self, forKey: .test)
        statistic = try c.decodeIfPresent(Double.self, forKey: .statistic)
        threshold = try c.decodeIfPresent(Double.self, forKey: .threshold)
        drifted = try c.decode(Bool.self, forKey: .drifted)
        status = try c.decode(Status.self, forKey: .status)
        reference = try c.decode(ColumnSummary.self, forKey: .reference)
        current = try c.decode(ColumnSummary.self, forKey: .current)
    }

    /// Writes every key, nulls included, so that programs find `"test": null` for untested columns.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(type, forKey: .type)
        try c.encode(test, forKey: .test)
        try c.encode(statistic.flatMap { $0.isFinite ? $0 : nil }, forKey: .statistic)
        try c.encode(threshold, forKey: .threshold)
        try c.encode(drifted, forKey: .drifted)
        try c.encode(status, forKey: .status)
        try c.encode(reference, forKey: .reference)
        try c.encode(current, forKey: .current)
    }
}

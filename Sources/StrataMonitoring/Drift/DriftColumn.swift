import StrataColumnar

/// One feature to test: its values in the reference and the current window, and how to test it.
public struct DriftColumn: Sendable {
    /// The name reported (`view:feature`, or the column name for SQL and CSV inputs).
    public var name: String
    /// The reference window's values.
    public var reference: Column
    /// The current window's values.
    public var current: Column
    /// The test to run; nil chooses by kind and size as Evidently does.
    public var method: DriftMethod?
    /// The drift threshold; nil takes the method's default.
    public var threshold: Double?

    public init(name: String, reference: Column, current: Column, method: DriftMethod? = nil, threshold: Double? = nil) {
        self.name = name
        self.reference = reference
        self.current = current
        self.method = method
        self.threshold = threshold
    }
}

/// A reference to one feature of one view, written `view:feature`.
public struct FeatureReference: Sendable, Hashable, Codable, CustomStringConvertible {
    public var view: String
    public var feature: String

    public init(view: String, feature: String) {
        self.view = view
        self.feature = feature
    }

    /// Parses `view:feature`; nil when the text is not of that form.
    public init?(parsing text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
        self.init(view: String(parts[0]), feature: String(parts[1]))
    }

    public var description: String { "\(view):\(feature)" }

    /// The output column name, `view__feature`.
    public var columnName: String { "\(view)__\(feature)" }
}

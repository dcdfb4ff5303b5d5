import StrataColumnar

/// One aggregation of a feature view as a schema file declares it; a field is nil where it was absent
/// or invalid.
struct AggregationDeclaration {
    var location: SourceLocation
    var name: Located<String>?
    var column: Located<String>?
    var function: Located<WindowFunction>?
    var windowSeconds: Located<Int64>?
    var type: Located<ValueType>?
    var drift: DriftSettings?

    /// The aggregation, or nil when a required field is missing or invalid.
    var aggregation: Aggregation? {
        guard let name, let column, let function, let windowSeconds else { return nil }
        return Aggregation(
            name: name.value, column: column.value, function: function.value, windowSeconds: windowSeconds.value,
            type: type?.value ?? Aggregation.defaultType(of: function.value), drift: drift)
    }
}

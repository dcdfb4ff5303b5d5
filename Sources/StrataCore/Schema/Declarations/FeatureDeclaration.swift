/// One feature of a feature view as a schema file declares it; a field is nil where it was absent or invalid.
struct FeatureDeclaration {
    var location: SourceLocation
    var name: Located<String>?
    var type: Located<ValueType>?
    var drift: DriftSettings?

    /// The feature, or nil when a required field is missing or invalid.
    var feature: Feature? {
        guard let name, let type else { return nil }
        return Feature(name: name.value, type: type.value, drift: drift)
    }
}

/// A feature service as a schema file declares it; a field is nil where it was absent or invalid.
struct FeatureServiceDeclaration: SchemaDeclaration {
    static let kind = ObjectKind.featureService
    var location: SourceLocation
    var name: Located<String>?
    /// The references, each where it was written.
    var features: Located<[Located<FeatureReference>]>?
    var description: String?

    /// The feature service, or nil when a required field is missing or invalid.
    var featureService: FeatureService? {
        guard let name, let features else { return nil }
        return FeatureService(name: name.value, features: features.value.map(\.value), description: description)
    }

    var fieldLocations: [String: SourceLocation] {
        var fields: [String: SourceLocation] = [:]
        fields["features"] = features?.location
        for (index, reference) in (features?.value ?? []).enumerated() {
            fields["features.\(index)"] = reference.location
        }
        return fields
    }
}

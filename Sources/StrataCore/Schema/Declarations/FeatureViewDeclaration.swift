/// A feature view as a schema file declares it; a field is nil where it was absent or invalid.
struct FeatureViewDeclaration: SchemaDeclaration {
    static let kind = ObjectKind.featureView
    var location: SourceLocation
    var name: Located<String>?
    /// The entity names, each where it was written.
    var entities: Located<[Located<String>]>?
    var source: Located<String>?
    var ttlSeconds: Located<Int64>?
    var online: Located<Bool>?
    /// Seconds after which online keys expire; 0 means never.
    var onlineExpirySeconds: Located<Int64>?
    var features: Located<[FeatureDeclaration]>?
    /// The tile length of an aggregation view, in seconds.
    var hopSeconds: Located<Int64>?
    var aggregations: Located<[AggregationDeclaration]>?
    var description: String?

    /// The feature view, or nil when a required field is missing or invalid.
    var featureView: FeatureView? {
        if aggregations != nil { return aggregationView }
        guard let name, let entities, let source, let ttlSeconds, let features else { return nil }
        let valid = features.value.compactMap(\.feature)
        guard valid.count == features.value.count else { return nil }
        let expiry = onlineExpirySeconds.map(\.value)
        return FeatureView(
            name: name.value, entities: entities.value.map(\.value), source: source.value,
            ttlSeconds: ttlSeconds.value, online: online?.value ?? true,
            onlineExpirySeconds: expiry == 0 ? nil : expiry, features: valid, description: description
        )
    }

    var fieldLocations: [String: SourceLocation] {
        var fields: [String: SourceLocation] = [:]
        fields["entities"] = entities?.location
        for (index, entity) in (entities?.value ?? []).enumerated() {
            fields["entities.\(index)"] = entity.location
        }
        fields["source"] = source?.location
        fields["ttl"] = ttlSeconds?.location
        fields["online"] = online?.location
        fields["online_expiry"] = onlineExpirySeconds?.location
        fields["features"] = features?.location
        for feature in features?.value ?? [] {
            guard let name = feature.name?.value, fields["features.\(name)"] == nil else { continue }
            fields["features.\(name)"] = feature.location
            fields["features.\(name).type"] = feature.type?.location
        }
        fields.merge(aggregationFieldLocations) { first, _ in first }
        return fields
    }

    /// The names of the features the view defines (its features, or its aggregations), each where it
    /// was written, with where its declaration starts.
    var outputs: [(name: Located<String>, location: SourceLocation)] {
        if let aggregations {
            return aggregations.value.compactMap { a in a.name.map { ($0, a.location) } }
        }
        return (features?.value ?? []).compactMap { f in f.name.map { ($0, f.location) } }
    }
}

extension FeatureViewDeclaration {
    /// The aggregation view, or nil when a required field is missing or invalid.
    var aggregationView: FeatureView? {
        guard let name, let entities, let source, let aggregations else { return nil }
        let valid = aggregations.value.compactMap(\.aggregation)
        guard valid.count == aggregations.value.count else { return nil }
        return FeatureView(
            name: name.value, entities: entities.value.map(\.value), source: source.value,
            hopSeconds: hopSeconds?.value ?? Aggregation.defaultHop(windows: valid.map(\.windowSeconds)),
            aggregations: valid, online: online?.value ?? true, description: description)
    }

    /// Where the hop and each aggregation's fields were written: `hop`, `aggregations`,
    /// `aggregations.<name>` (its mapping) and `aggregations.<name>.<key>` for `column`, `function`,
    /// `window` and `type`.
    var aggregationFieldLocations: [String: SourceLocation] {
        var fields: [String: SourceLocation] = [:]
        fields["hop"] = hopSeconds?.location
        fields["aggregations"] = aggregations?.location
        for aggregation in aggregations?.value ?? [] {
            guard let name = aggregation.name?.value, fields["aggregations.\(name)"] == nil else { continue }
            let prefix = "aggregations.\(name)"
            fields[prefix] = aggregation.location
            fields["\(prefix).column"] = aggregation.column?.location
            fields["\(prefix).function"] = aggregation.function?.location
            fields["\(prefix).window"] = aggregation.windowSeconds?.location
            fields["\(prefix).type"] = aggregation.type?.location
        }
        return fields
    }
}

/// A source as a schema file declares it; a field is nil where it was absent or invalid.
struct SourceDeclaration: SchemaDeclaration {
    static let kind = ObjectKind.source
    var location: SourceLocation
    var name: Located<String>?
    var table: Located<String>?
    var timestamp: Located<String>?
    var createdTimestamp: Located<String>?

    /// The source, or nil when a required field is missing or invalid.
    var source: Source? {
        guard let name, let table, let timestamp else { return nil }
        return Source(
            name: name.value, table: table.value, timestampColumn: timestamp.value,
            createdTimestampColumn: createdTimestamp?.value
        )
    }

    var fieldLocations: [String: SourceLocation] {
        var fields: [String: SourceLocation] = [:]
        fields["table"] = table?.location
        fields["timestamp"] = timestamp?.location
        fields["created_timestamp"] = createdTimestamp?.location
        return fields
    }
}

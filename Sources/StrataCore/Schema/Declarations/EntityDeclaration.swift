/// An entity as a schema file declares it; a field is nil where it was absent or invalid.
struct EntityDeclaration: SchemaDeclaration {
    static let kind = ObjectKind.entity
    var location: SourceLocation
    var name: Located<String>?
    var joinKey: Located<String>?
    var type: Located<JoinKeyType>?
    var description: String?

    /// The entity, or nil when a required field is missing or invalid.
    var entity: Entity? {
        guard let name, let joinKey, let type else { return nil }
        return Entity(name: name.value, joinKey: joinKey.value, type: type.value, description: description)
    }

    var fieldLocations: [String: SourceLocation] {
        var fields: [String: SourceLocation] = [:]
        fields["join_key"] = joinKey?.location
        fields["type"] = type?.location
        return fields
    }
}

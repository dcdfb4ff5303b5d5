/// What the validator needs from a declaration of any kind.
protocol SchemaDeclaration {
    /// The kind of object declared.
    static var kind: ObjectKind { get }
    /// Where the declaration's mapping starts.
    var location: SourceLocation { get }
    /// The declared name; nil when absent or not a string.
    var name: Located<String>? { get }
    /// Where its fields were written, keyed by the field names of `Repository.locations`.
    var fieldLocations: [String: SourceLocation] { get }
}

extension SchemaDeclaration {
    /// The declaration as a message names it: `feature view 'driver_stats'`, or just `feature view`.
    var subject: String {
        guard let name else { return Self.kind.noun }
        return "\(Self.kind.noun) '\(name.value)'"
    }
}

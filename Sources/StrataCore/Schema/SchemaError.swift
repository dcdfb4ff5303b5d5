/// One problem found in schema files, pointing at the file, line and column where it was written.
public struct SchemaError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem it is.
    public enum Code: String, Sendable, Hashable, CaseIterable {
        /// A file or folder could not be read.
        case unreadable
        /// A folder holds no `*.yaml` or `*.yml` file.
        case noSchemaFiles
        /// The text is not valid YAML.
        case syntax
        /// A YAML mapping names the same key twice.
        case duplicateKey
        /// A mapping has a key the schema does not define.
        case unknownKey
        /// A required key is absent.
        case missingKey
        /// A value has the wrong YAML kind (a list where a mapping is expected, a string for a bool, ...).
        case wrongType
        /// A value has the right kind but is not allowed (a bad name, type, duration, threshold, ...).
        case badValue
        /// Two objects of one kind, two features of one view or two references of one service share a name.
        case duplicateName
        /// A feature is named like one of its view's join keys or its source's timestamp columns.
        case nameCollision
        /// A name refers to an entity, source, feature view or feature that is not declared.
        case unknownReference
        /// Entities of one feature view share a join key but give it different types.
        case joinKeyConflict
        /// Files of one folder name different projects.
        case projectMismatch
    }

    /// What kind of problem it is.
    public var code: Code
    /// What was found and what is expected.
    public var message: String
    /// Where the problem was written; nil for problems of a whole folder.
    public var location: SourceLocation?

    /// Creates an error.
    public init(_ code: Code, _ message: String, at location: SourceLocation?) {
        self.code = code
        self.message = message
        self.location = location
    }

    /// The error as a compiler prints it: `file:line:column: error: message`.
    public var description: String {
        guard let location else { return "error: \(message)" }
        return "\(location): error: \(message)"
    }
}

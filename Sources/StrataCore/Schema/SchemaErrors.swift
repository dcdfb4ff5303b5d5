/// Every problem found in a set of schema files, thrown together so a user can fix them in one pass.
public struct SchemaErrors: Error, Sendable, Hashable, CustomStringConvertible {
    /// The problems, ordered by file, line and column (folder-wide problems first).
    public var errors: [SchemaError]

    /// Collects `errors`, ordering them by where they were written.
    public init(_ errors: [SchemaError]) {
        func order(_ item: (offset: Int, element: SchemaError)) -> (Int, String, Int, Int, Int) {
            guard let location = item.element.location else { return (0, "", 0, 0, item.offset) }
            return (1, location.file, location.line, location.column, item.offset)
        }
        self.errors = errors.enumerated().sorted { order($0) < order($1) }.map(\.element)
    }

    /// One error per line.
    public var description: String {
        errors.map(\.description).joined(separator: "\n")
    }
}

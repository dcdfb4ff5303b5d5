/// A registry failure that is not a schema error: concurrency, migrations, missing objects.
public struct RegistryError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public enum Code: String, Sendable, Hashable {
        case migrationMismatch
        /// The database's registry lacks migrations this Strata ships, and the caller may not apply them.
        case notMigrated
        case notFound
        case corruptSpec
        case badInput
        /// An apply with breaking changes that were not allowed.
        case breakingChange
    }

    public var code: Code
    public var message: String

    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}

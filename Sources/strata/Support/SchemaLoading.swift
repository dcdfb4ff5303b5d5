import StrataCore
import StrataRegistry

/// Loads a folder of schema files and checks it against the live database.
enum SchemaLoading {
    /// Parses the folder (errors here need no database), then checks it against the live database.
    /// `forReading` opens the registry without migrating it, for `plan`.
    static func loadValidated(directory: String, connection: ConnectionOptions, forReading: Bool = false) throws -> (Repository, Registry) {
        let repository = try SchemaLoader.load(directory: directory)
        let registry = try forReading ? connection.openRegistryForReading() : connection.openRegistry()
        return (try validate(repository, registry: registry), registry)
    }

    static func loadValidated(directory: String, registry: Registry) throws -> Repository {
        try validate(try SchemaLoader.load(directory: directory), registry: registry)
    }

    static func validate(_ repository: Repository, registry: Registry) throws -> Repository {
        let problems = try SourceChecker.check(repository, connection: registry.connection)
        if !problems.isEmpty { throw SchemaErrors(problems) }
        return repository
    }
}

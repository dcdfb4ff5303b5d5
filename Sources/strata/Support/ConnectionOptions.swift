import ArgumentParser
import Foundation
import StrataEmbedded
import StrataPostgres
import StrataRegistry

/// Where PostgreSQL and Redis are: flags, then environment, then the embedded services of `strata up`.
struct ConnectionOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("PostgreSQL libpq URI (default: $STRATA_POSTGRES_URL, else the embedded one).", valueName: "url"))
    var postgres: String?

    @Option(name: .long, help: ArgumentHelp("Redis URL redis://[[user]:password@]host:port/db (the password also as ?password=...), or a Redis Cluster's seed nodes redis+cluster://[[user]:password@]host:port[,host:port...] (default: $STRATA_REDIS_URL, else the embedded one).", valueName: "url"))
    var redis: String?

    @Option(name: .customLong("state-dir"), help: ArgumentHelp("Folder of the embedded services.", valueName: "dir"))
    var stateDirectory: String = ".strata"

    /// The PostgreSQL URL to use, or an exit-3 error telling the user to run `strata up`.
    func postgresURL() throws -> String {
        if let postgres { return postgres }
        if let url = ProcessInfo.processInfo.environment["STRATA_POSTGRES_URL"], !url.isEmpty { return url }
        if let record = try? LocalServices.status(directory: stateDirectory) { return record.postgres.url }
        throw CLIError(
            .unreachable,
            "no PostgreSQL configured: run `strata up` to start the embedded services in \(stateDirectory)/, or pass --postgres / set STRATA_POSTGRES_URL")
    }

    /// The Redis URL to use, or an exit-3 error telling the user to run `strata up`.
    func redisURL() throws -> String {
        if let redis { return redis }
        if let url = ProcessInfo.processInfo.environment["STRATA_REDIS_URL"], !url.isEmpty { return url }
        if let record = try? LocalServices.status(directory: stateDirectory) { return record.redis.url }
        throw CLIError(
            .unreachable,
            "no Redis configured: run `strata up` to start the embedded services in \(stateDirectory)/, or pass --redis / set STRATA_REDIS_URL")
    }

    /// A new PostgreSQL connection.
    func connectPostgres() throws -> PostgresConnection {
        try PostgresConnection(url: try postgresURL())
    }

    /// The registry, migrated: for verbs that write.
    func openRegistry() throws -> Registry {
        try Registry(connection: try connectPostgres())
    }

    /// The registry as it is, for verbs that only read: a read-only role may run them.
    func openRegistryForReading() throws -> Registry {
        try Registry(readingFrom: try connectPostgres())
    }
}

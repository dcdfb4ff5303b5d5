import Foundation

/// A throwaway PostgreSQL and Redis in a fresh private folder under /tmp, removed by `stop()`; for tests and
/// benchmarks.
///
/// Both require fresh random passwords (carried by their URLs) and keep nothing on disk beyond the folder. The
/// folder names this process as its owner: if the process dies without calling `stop()`, the next start of
/// throwaway services (by any process of the same user) stops the servers and removes the folder.
public struct TemporaryServices: Sendable, Hashable {
    /// The folder holding both services' files.
    public let directory: String
    /// The PostgreSQL server, with the database `strata`.
    public let postgres: LocalPostgres
    /// The Redis server.
    public let redis: LocalRedis

    /// Reaps the servers of dead owners, then starts both services on free ports; `redisArguments` are extra Redis
    /// settings such as `["--databases", "64"]`, `postgresSettings` PostgreSQL's (`LocalPostgres.start`).
    public static func start(redisArguments: [String] = [], postgresSettings: [String: String] = [:]) throws -> TemporaryServices {
        ThrowawayFolders.reapOrphans()
        let directory = try ThrowawayFolders.create(prefix: "strata-services", passableBy: ServiceAccount.forPostgres())
        do {
            let postgres = try LocalPostgres.start(
                directory: "\(directory)/pg", database: LocalServices.database,
                password: LocalCredentials.generatePassword(), settings: postgresSettings)
            do {
                let redis = try LocalRedis.start(
                    directory: "\(directory)/redis", password: LocalCredentials.generatePassword(),
                    arguments: redisArguments)
                return TemporaryServices(directory: directory, postgres: postgres, redis: redis)
            } catch {
                try? postgres.stop()
                throw error
            }
        } catch {
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
    }

    /// Stops both services and removes the folder.
    public func stop() throws {
        var failure: (any Error)?
        do { try postgres.stop() } catch { failure = error }
        do { try redis.stop() } catch { failure = failure ?? error }
        try? FileManager.default.removeItem(atPath: directory)
        if let failure { throw failure }
    }
}

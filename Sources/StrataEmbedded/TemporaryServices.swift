import Foundation

/// A throwaway PostgreSQL and Redis in a fresh folder under /tmp, removed by `stop()`; for tests.
public struct TemporaryServices: Sendable, Hashable {
    /// The folder holding both services' files.
    public let directory: String
    /// The PostgreSQL server, with the database `strata`.
    public let postgres: LocalPostgres
    /// The Redis server.
    public let redis: LocalRedis

    /// Starts both services on free ports; `redisArguments` are extra Redis settings such as `["--databases", "64"]`.
    public static func start(redisArguments: [String] = []) throws -> TemporaryServices {
        let directory = try Paths.makeTemporaryDirectory(prefix: "strata-services")
        do {
            let postgres = try LocalPostgres.start(directory: "\(directory)/pg", database: LocalServices.database)
            do {
                let redis = try LocalRedis.start(directory: "\(directory)/redis", arguments: redisArguments)
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

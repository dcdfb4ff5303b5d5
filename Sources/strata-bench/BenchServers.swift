import Foundation
import StrataEmbedded

/// The servers a suite measures against: `STRATA_BENCH_POSTGRES_URL` / `STRATA_BENCH_REDIS_URL` when
/// set (after `BenchOwnership` has checked that they hold nothing but the suites' own data), else
/// throwaway local ones started for the run and stopped at its end. The production variables
/// `STRATA_POSTGRES_URL` / `STRATA_REDIS_URL` are never read: a suite drops tables and flushes Redis.
final class BenchServers {
    static let postgresVariable = "STRATA_BENCH_POSTGRES_URL"
    static let redisVariable = "STRATA_BENCH_REDIS_URL"

    let postgresURL: String
    let redisURL: String
    private let temporary: BenchCleanup.Token?

    /// The servers named by the bench variables, checked; throwaway ones for whichever is unset.
    init() throws {
        let (postgres, redis) = BenchServers.given()
        if let postgres { try BenchOwnership.checkPostgres(url: postgres) }
        if let redis { try BenchOwnership.checkRedis(url: redis) }
        if let postgres, let redis {
            postgresURL = postgres
            redisURL = redis
            temporary = nil
        } else {
            FileHandle.standardError.write(Data("starting throwaway PostgreSQL and Redis...\n".utf8))
            let (services, token) = try BenchCleanup.shared.track(
                { try TemporaryServices.start() }, as: { services in .servers({ try? services.stop() }) })
            temporary = token
            postgresURL = postgres ?? services.postgres.url
            redisURL = redis ?? services.redis.url
        }
    }

    /// The URLs in the bench variables, an empty value counting as unset.
    static func given() -> (postgres: String?, redis: String?) {
        let environment = ProcessInfo.processInfo.environment
        return (environment[postgresVariable].flatMap { $0.isEmpty ? nil : $0 },
                environment[redisVariable].flatMap { $0.isEmpty ? nil : $0 })
    }

    /// Stops the throwaway servers and removes their folder.
    func stop() {
        if let temporary { BenchCleanup.shared.finish(temporary) }
    }
}

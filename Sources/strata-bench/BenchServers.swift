import Foundation
import StrataEmbedded

/// The servers a suite measures against: STRATA_BENCH_POSTGRES_URL / STRATA_BENCH_REDIS_URL when set
/// (never the production variables, whose data a suite would drop), else a throwaway local pair
/// started for the run and stopped at its end.
final class BenchServers {
    let postgresURL: String
    let redisURL: String
    private let temporary: TemporaryServices?

    init() throws {
        let environment = ProcessInfo.processInfo.environment
        if let pg = environment["STRATA_BENCH_POSTGRES_URL"], let redis = environment["STRATA_BENCH_REDIS_URL"] {
            postgresURL = pg
            redisURL = redis
            temporary = nil
        } else {
            FileHandle.standardError.write(Data("starting throwaway PostgreSQL and Redis...\n".utf8))
            let services = try TemporaryServices.start()
            temporary = services
            postgresURL = services.postgres.url
            redisURL = services.redis.url
        }
    }

    func stop() {
        try? temporary?.stop()
    }
}

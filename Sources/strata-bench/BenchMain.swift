import Foundation
import StrataPostgres
import StrataRedis

/// `strata-bench SUITE`: performance suites, each printing its figures beside a baseline measured in
/// the same run and ending with one line `SUITE: key=value ...`. Run in release:
/// `swift run -c release strata-bench SUITE`.
@main
struct BenchMain {
    static let suites: [(name: String, summary: String, run: @Sendable ([String]) throws -> Void)] = [
        ("clients", "libpq and hiredis round trips through Strata's wrappers beside the raw C calls", ClientsSuite.run),
        ("offline", "point-in-time training set of a 1M-row spine over three views beside hand-written SQL", OfflineSuite.run),
        ("training", "GBDT and logistic regression beside LightGBM and scikit-learn; predict latency; sum and histogram beside NumPy", TrainingSuite.run),
        ("kernels", "sum and histogram of 100M float64 on --cores N (the training suite runs it at 1 core and at its thread count)", KernelsSuite.run),
        ("online", "materialise 2M entities into Redis and look them up, beside raw pipelined SET/MGET (--cluster: on a local Redis Cluster)", OnlineSuite.run),
        ("aggregations", "12 windowed aggregates of ~6M trips on a 1M-row spine beside hand-written SQL; tile lookups beside plain ones", AggregationsSuite.run),
        ("check", "check the servers named by STRATA_BENCH_POSTGRES_URL/STRATA_BENCH_REDIS_URL without running a suite", check),
        ("drift", "strata drift on 1M × 20 against 1M × 20 beside binary COPY of both; a mixed set; Evidently and scipy", DriftSuite.run),
        ("serve", "strata serve under wrk beside nginx and a canned Hummingbird server: latency, throughput, predict, logging", ServeSuite.run),
    ]

    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        guard let name = arguments.first, name != "--help", name != "-h" else {
            printUsage()
            exit(arguments.isEmpty ? 2 : 0)
        }
        guard let suite = suites.first(where: { $0.name == name }) else {
            FileHandle.standardError.write(Data("unknown suite '\(name)'\n".utf8))
            printUsage()
            exit(2)
        }
        do {
            try suite.run(Array(arguments.dropFirst()))
        } catch let error as BenchServersError {
            FileHandle.standardError.write(Data("\(name): \(error)\n".utf8))
            exit(error.exitCode)
        } catch {
            FileHandle.standardError.write(Data("\(name) failed: \(error)\n".utf8))
            exit(1)
        }
    }

    /// `check`: runs the suites' safety check on the servers in the bench variables (claiming an empty
    /// PostgreSQL database) and says which servers a suite would use; starts nothing.
    static func check(_ arguments: [String]) throws {
        let (postgres, redis) = BenchServers.given()
        if let postgres {
            try BenchOwnership.checkPostgres(url: postgres)
            print("check: PostgreSQL \(PostgresURL.redacted(postgres)) holds only strata-bench's tables")
        } else {
            print("check: no \(BenchServers.postgresVariable): the suites start a throwaway PostgreSQL")
        }
        if let redis {
            try BenchOwnership.checkRedis(url: redis)
            print("check: Redis \((try? RedisURL(redis))?.redacted ?? "") holds only strata-bench's keys")
        } else {
            print("check: no \(BenchServers.redisVariable): the suites start a throwaway Redis")
        }
    }

    static func printUsage() {
        print("usage: swift run -c release strata-bench SUITE [options]\n\nsuites:")
        for suite in suites { print("  \(suite.name.padding(toLength: 10, withPad: " ", startingAt: 0)) \(suite.summary)") }
        print(
            """

            Servers: STRATA_BENCH_POSTGRES_URL and STRATA_BENCH_REDIS_URL when set, else throwaway local ones;
            never STRATA_POSTGRES_URL or STRATA_REDIS_URL. The suites drop tables and flush Redis, so they
            refuse a PostgreSQL database holding tables of anyone else (or tables but no strata_bench_claim,
            which a first run leaves in an empty database) and a Redis database holding keys of anyone else.
            Exit codes: 0 done, 1 a suite failed, 2 refused servers or bad options, 3 unreachable servers.
            """)
    }
}

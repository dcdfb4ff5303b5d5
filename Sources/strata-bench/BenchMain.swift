import Foundation
import StrataPostgres
import StrataRedis

/// `strata-bench SUITE`: performance suites, each printing its figures beside a baseline measured in
/// the same run and ending with one line `SUITE: key=value ...`. Run in release:
/// `swift run -c release strata-bench SUITE`.
@main
struct BenchMain {
    static let suites: [BenchSuite] = [
        BenchSuite(
            name: "clients", summary: "libpq and hiredis round trips through Strata's wrappers beside the raw C calls",
            details: """
                One round trip through Strata's libpq and hiredis wrappers beside the same round trip made with the raw
                C calls, on the same servers and connection settings, so that the wrappers' own cost is known.
                """,
            options: [],
            positional: BenchOption(name: "ITERATIONS", values: [.count], defaultValue: "20000", help: "round trips per round, 5 rounds"),
            run: ClientsSuite.run),
        BenchSuite(
            name: "offline", summary: "point-in-time training set of a 1M-row spine over three views beside hand-written SQL",
            details: """
                A 1M-row spine joined point-in-time to three views (~5.5M hourly driver rows, ~0.5M daily customer
                profiles, ~85k sparse reviews), Strata end to end (the release `strata` beside this executable, to CSV
                and to a table) beside the best hand-written single SQL statements for the same result, each timed as
                many runs as Strata, in the same run.
                """,
            options: [
                .flag("--small", "a tenth of the size"),
                .count("--runs", default: "3", "runs of each side"),
                .flag("--parallel", "instead of the comparison with SQL: Strata over 1, 2, 3 and an automatic count of connections"),
            ],
            run: OfflineSuite.run),
        BenchSuite(
            name: "training",
            summary: "GBDT and logistic regression beside LightGBM and scikit-learn; predict latency; sum and histogram beside NumPy",
            details: """
                Strata's GBDT and logistic regression beside LightGBM and scikit-learn on the same synthetic data (50
                standard-normal features, the first 80% of rows for training), single-row predict latency beside
                LightGBM's C library, and the sum and histogram kernels beside NumPy (`kernels` run as children at 1
                core and at the thread count). Uses no database.
                """,
            options: [
                .count("--rows", default: "1000000", "rows of synthetic data (at least 10)"),
                .count("--threads", default: "2", "threads on both sides"),
                .count("--repeat", default: "3", "fits on each side; the best and the median are printed"),
                BenchOption(
                    name: "--labels", values: [.seeds], defaultValue: "0",
                    help: "label functions to fit, by seed (0 = the suite's own); more than one runs logistic regression only, with the spread"),
                .flag("--logistic-only", "logistic regression beside scikit-learn only"),
            ],
            environment: [BenchSuite.pythonVariable],
            packages: [(name: "python3", help: "the peers, with lightgbm, scikit-learn, numpy and threadpoolctl in it (pip, e.g. in a venv)")],
            run: TrainingSuite.run),
        BenchSuite(
            name: "kernels",
            summary: "sum and histogram of 100M float64 on --cores N (the training suite runs it at 1 core and at its thread count)",
            details: """
                Strata's relaxedSum and 100-bin histogram over 100M standard-normal float64 values, the process pinned
                to its first N CPUs before any thread starts. Uses no database.
                """,
            options: [.count("--cores", default: "every online core", "CPUs to pin the process to")],
            environment: [], packages: [],
            run: KernelsSuite.run),
        BenchSuite(
            name: "online",
            summary: "materialise 2M entities into Redis and look them up, beside raw pipelined SET/MGET (--cluster: on a local Redis Cluster)",
            details: """
                N drivers × one view of 5 features and N customers × one view of 3 features materialised into Redis
                beside the fastest pipelined plain SETs of records of the same size; lookups of one and of 100
                entities beside MGETs and HGETs of the same records; Redis memory per value; `redis-benchmark -P 64`
                as a second reference. Empties the Redis database it is given.
                """,
            options: [
                .count("--entities", default: "1000000", "entities per view"),
                .count("--runs", default: "3", "materialisation runs"),
                .count("--lookups", default: "100000", "single-entity lookups"),
                .flag("--lookup-only", "materialise once, then measure only the lookups"),
                .flag("--cluster", "the same on a throwaway local Redis Cluster (3 masters, 3 replicas)"),
            ],
            packages: BenchSuite.serverPackages + [
                (name: "redis-tools", help: "redis-benchmark (the second reference) and redis-cli (forms the cluster)"),
            ],
            run: OnlineSuite.run),
        BenchSuite(
            name: "aggregations",
            summary: "12 windowed aggregates of ~6M trips on a 1M-row spine beside hand-written SQL; tile lookups beside plain ones",
            details: """
                The ride-hailing sample's ~6M trips and a 1M-row spine, 12 windowed aggregates (count, sum, mean, max
                over 1h, 1d, 7d), Strata end to end (the release `strata` beside this executable) beside the best
                hand-written PostgreSQL, checked equal cell for cell, and the plain training set of the same spine;
                then lookups of the materialised 7d aggregates beside lookups of a plain view, and Redis bytes per entity.
                """,
            options: [
                .flag("--small", "1000 drivers × 30 days and a 100k-row spine"),
                .count("--runs", default: "3", "runs of each side"),
                .count("--lookups", default: "20000", "online lookups of each kind"),
            ],
            run: AggregationsSuite.run),
        BenchSuite(
            name: "check",
            summary: "check the servers named by STRATA_BENCH_POSTGRES_URL/STRATA_BENCH_REDIS_URL without running a suite",
            details: """
                Runs the suites' safety check on the servers in the bench variables (claiming an empty PostgreSQL
                database) and says which servers a suite would use; starts nothing, measures nothing.
                """,
            options: [], packages: [],
            run: check),
        BenchSuite(
            name: "drift",
            summary: "strata drift on 1M × 20 against 1M × 20 beside binary COPY of both; a mixed set; Evidently and scipy",
            details: """
                `strata drift` (the release binary beside this executable, JSON out) on a 1M × 20 float8 reference
                against a 1M × 20 current table, beside the floor of copying both out by binary COPY; the statistics
                alone in memory; a mixed 11-column set of 200k against 250k rows; Evidently's DataDriftPreset and
                scipy's ks_2samp on the same data when a Python with them is found.
                """,
            options: [
                .count("--runs", default: "3", "runs of each side"),
                .flag("--no-peers", "skip the Python peers"),
            ],
            environment: BenchSuite.serverVariables + [BenchSuite.pythonVariable],
            packages: BenchSuite.serverPackages + [
                (name: "python3", help: "the peers, with evidently, scipy, pandas and numpy in it (pip, e.g. in a venv)"),
            ],
            run: DriftSuite.run),
        BenchSuite(
            name: "serve",
            summary: "strata serve under wrk beside nginx and a canned Hummingbird server: latency, throughput, predict, logging",
            details: """
                `strata serve` (the release binary beside this executable) under wrk on loopback beside nginx returning
                the same bytes and a canned Hummingbird server, interleaved, medians of --runs runs: 1 and 32
                connections, 100 entities per request, /predict with a GBDT, the cost of logging every request, Redis
                commands coalesced or not, and RSS over a soak run. Run from the repository (it applies --schemas).
                """,
            options: [
                .count("--seconds", default: "10", "seconds of each wrk run"),
                .count("--runs", default: "3", "runs of each server"),
                .count("--warmup", default: "3", "seconds of warm-up before each measurement"),
                .count("--soak", default: "60", "seconds of the RSS soak run"),
                BenchOption(name: "--schemas", values: [.text("DIR")], defaultValue: "schemas", help: "the folder of schema files to apply"),
                BenchOption(
                    name: "--canned", values: [.count, .text("FILE")], defaultValue: "",
                    help: "internal: be the canned server on port N answering FILE's bytes (the suite starts it so)"),
            ],
            packages: BenchSuite.serverPackages + [
                (name: "wrk", help: "the load generator"), (name: "nginx-light", help: "the nginx baseline"),
            ],
            run: ServeSuite.run),
    ]

    static func main() {
        BenchCleanup.install()
        let arguments = Array(CommandLine.arguments.dropFirst())
        guard let name = arguments.first, name != "--help", name != "-h" else {
            printUsage()
            exit(arguments.isEmpty ? 2 : 0)
        }
        guard let suite = suites.first(where: { $0.name == name }) else {
            let error = BenchUsageError(
                .unknownSuite,
                "unknown suite '\(name)'; the suites are \(suites.map(\.name).joined(separator: ", ")) (strata-bench --help)")
            FileHandle.standardError.write(Data("strata-bench: \(error)\n".utf8))
            exit(2)
        }
        let options = Array(arguments.dropFirst())
        do {
            if try suite.wantsHelp(options) {
                print(suite.usage)
                exit(0)
            }
            try suite.run(options)
        } catch let error as BenchUsageError {
            FileHandle.standardError.write(Data("strata-bench \(error)\n".utf8))
            BenchCleanup.shared.exit(2)
        } catch let error as BenchServersError {
            FileHandle.standardError.write(Data("\(name): \(error)\n".utf8))
            BenchCleanup.shared.exit(error.exitCode)
        } catch {
            FileHandle.standardError.write(Data("\(name) failed: \(error)\n".utf8))
            BenchCleanup.shared.exit(1)
        }
        BenchCleanup.shared.exit(0)
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
        print("usage: swift run -c release strata-bench SUITE [options]   (strata-bench SUITE --help: its options)\n\nsuites:")
        let width = suites.map(\.name.count).max() ?? 0
        for suite in suites { print("  \(suite.name.padding(toLength: width, withPad: " ", startingAt: 0))  \(suite.summary)") }
        print(
            """

            Servers: STRATA_BENCH_POSTGRES_URL and STRATA_BENCH_REDIS_URL when set, else throwaway local ones;
            never STRATA_POSTGRES_URL or STRATA_REDIS_URL. The suites drop tables and flush Redis, so they
            refuse a PostgreSQL database holding tables of anyone else (or tables but no strata_bench_claim,
            which a first run leaves in an empty database) and a Redis database holding keys of anyone else.
            Exit codes: 0 done, 1 a suite failed, 2 refused servers or bad options, 3 unreachable servers,
            130/143 interrupted by SIGINT/SIGTERM (every process, server and temporary file a suite started is removed).
            """)
    }
}

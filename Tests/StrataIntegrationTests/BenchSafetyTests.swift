import Foundation
import StrataPostgres
import StrataRedis
import StrataTestSupport
import Testing

/// `strata-bench` drops tables and flushes Redis, so it must only ever use the bench variables and
/// databases that hold nothing but its own data. These run the binary's `check`, which is the check
/// every suite runs before touching a server.
@Suite("strata-bench refuses databases it does not own", .enabled(if: TestServices.enabled))
struct BenchSafetyTests {
    /// The environment of a `strata-bench` run: the bench variables as given (empty = unset) and no
    /// production variables unless given.
    static func environment(postgres: String = "", redis: String = "", production: [String: String] = [:]) -> [String: String] {
        ["STRATA_BENCH_POSTGRES_URL": postgres, "STRATA_BENCH_REDIS_URL": redis,
         "STRATA_POSTGRES_URL": "", "STRATA_REDIS_URL": ""].merging(production) { _, new in new }
    }

    static func check(_ environment: [String: String]) throws -> StrataCLI.Outcome {
        try StrataCLI.run(["check"], environment: environment, program: "strata-bench")
    }

    @Test func aDatabaseHoldingAForeignTableIsRefusedAndLeftAlone() throws {
        let url = try TestServices.shared.freshDatabaseURL()
        let db = try PostgresConnection(url: url)
        try db.execute("CREATE TABLE orders (id bigint)")
        try db.execute("INSERT INTO orders VALUES (1), (2)")

        let outcome = try Self.check(Self.environment(postgres: url))
        #expect(outcome.status == 2)
        #expect(outcome.stderr.contains("STRATA_BENCH_POSTGRES_URL"))
        #expect(outcome.stderr.contains("orders"))
        #expect(try db.execute("SELECT count(*) FROM orders").int(0, 0) == 2)
        #expect(try db.execute("SELECT to_regclass('strata_bench_claim') IS NULL").bool(0, 0) == true)
    }

    @Test func aForeignTableBesideTheBenchsOwnIsRefused() throws {
        let url = try TestServices.shared.freshDatabaseURL()
        #expect(try Self.check(Self.environment(postgres: url)).status == 0)
        let db = try PostgresConnection(url: url)
        try db.execute("CREATE TABLE bench_spine (driver_id bigint)")
        #expect(try Self.check(Self.environment(postgres: url)).status == 0)

        try db.execute("CREATE SCHEMA sales")
        try db.execute("CREATE TABLE sales.bench_spine (id bigint)")
        let outcome = try Self.check(Self.environment(postgres: url))
        #expect(outcome.status == 2)
        #expect(outcome.stderr.contains("sales.bench_spine"))
    }

    @Test func aRegistryTheBenchDidNotSetUpIsRefused() throws {
        let url = try TestServices.shared.freshDatabaseURL()
        let db = try PostgresConnection(url: url)
        try db.execute("CREATE TABLE strata_objects (id bigint)")
        try db.execute("CREATE TABLE driver_hourly_stats (driver_id bigint)")

        let outcome = try Self.check(Self.environment(postgres: url))
        #expect(outcome.status == 2)
        #expect(outcome.stderr.contains("strata_bench_claim"))
        #expect(outcome.stderr.contains("driver_hourly_stats"))
    }

    @Test func anEmptyDatabaseIsClaimedAndAccepted() throws {
        let url = try TestServices.shared.freshDatabaseURL()
        let outcome = try Self.check(Self.environment(postgres: url))
        #expect(outcome.status == 0)
        #expect(outcome.stdout.contains("holds only strata-bench's tables"))
        let db = try PostgresConnection(url: url)
        #expect(try db.execute("SELECT count(*) FROM strata_bench_claim").int(0, 0) == 1)
    }

    @Test func aRedisDatabaseHoldingForeignKeysIsRefusedAndLeftAlone() throws {
        let url = try TestServices.shared.freshRedisURL()
        let redis = try RedisConnection(url: RedisURL(url))
        _ = try redis.command("SET", "strata-bench:key", "mine")
        #expect(try Self.check(Self.environment(redis: url)).status == 0)
        _ = try redis.command("SET", "session:42", "theirs")

        let outcome = try Self.check(Self.environment(redis: url))
        #expect(outcome.status == 2)
        #expect(outcome.stderr.contains("STRATA_BENCH_REDIS_URL"))
        #expect(outcome.stderr.contains("session:42"))
        #expect(try redis.command("GET", "session:42").string == "theirs")
    }

    @Test func theProductionVariablesAreIgnored() throws {
        let url = try TestServices.shared.freshDatabaseURL()
        try PostgresConnection(url: url).execute("CREATE TABLE orders (id bigint)")
        let redisURL = try TestServices.shared.freshRedisURL()
        _ = try RedisConnection(url: RedisURL(redisURL)).command("SET", "session:42", "theirs")

        let outcome = try Self.check(Self.environment(production: ["STRATA_POSTGRES_URL": url, "STRATA_REDIS_URL": redisURL]))
        #expect(outcome.status == 0)
        #expect(outcome.stdout.contains("throwaway PostgreSQL"))
        #expect(outcome.stdout.contains("throwaway Redis"))
    }

    @Test func anUnreachableServerExitsThree() throws {
        let outcome = try Self.check(Self.environment(redis: "redis://127.0.0.1:1/0"))
        #expect(outcome.status == 3)
        #expect(outcome.stderr.contains("cannot reach Redis"))
    }
}

import StrataPostgres
import StrataRedis

/// What a database must look like before a suite may drop tables in it or flush it: the suites only
/// ever touch databases that hold nothing but their own objects.
///
/// PostgreSQL: every table and view must be one of the suites' own (`bench_*`, the registry's
/// `strata_*`, the example's source tables), and a database that holds any table at all must carry
/// the claim table that the first run leaves in an empty database, so that a real registry (whose
/// tables are named like the bench's) is never mistaken for a bench database. Redis: every key of the
/// database must start with one of the suites' own prefixes (the online store's keys of project
/// `bench`, and `strata-bench:` for the raw baselines).
enum BenchOwnership {
    /// The table a first run creates in an empty PostgreSQL database to mark it as the bench's.
    static let claimTable = "strata_bench_claim"
    /// Table names the suites create besides the `bench_` and `strata_` prefixes: the example's sources.
    static let exampleTables: Set<String> = ["driver_hourly_stats", "customer_daily_profile", "driver_quality"]
    /// Name prefixes of the suites' own tables: their scratch tables and the registry's.
    static let tablePrefixes = ["bench_", "strata_"]
    /// Key prefixes of the suites' own Redis keys: project `bench`'s online keys and the baselines' keys.
    static let keyPrefixes = ["s:bench:", "strata-bench:"]
    /// How many foreign names a refusal quotes.
    static let quoted = 5

    /// Whether a table of that name in schema `public` may belong to a suite.
    static func isOwnTable(_ name: String) -> Bool {
        exampleTables.contains(name) || tablePrefixes.contains { name.hasPrefix($0) }
    }

    /// Whether a Redis key of that name may belong to a suite.
    static func isOwnKey(_ key: [UInt8]) -> Bool {
        keyPrefixes.contains { key.starts(with: $0.utf8) }
    }

    /// Checks that the database holds only the suites' own tables and claims it when it is empty.
    /// - Throws: `BenchServersError` `.refused` naming the foreign tables, or `.unreachable`.
    static func checkPostgres(url: String) throws {
        let db: PostgresConnection
        do {
            db = try PostgresConnection(url: url)
        } catch let error as PostgresError where error.isUnreachable {
            throw BenchServersError(.unreachable, "cannot reach PostgreSQL at \(PostgresURL.redacted(url))", cause: error)
        }
        let tables = try relations(db)
        let foreign = tables.filter { $0.schema != "public" || !isOwnTable($0.name) }
        if !foreign.isEmpty {
            throw BenchServersError(
                .refused,
                "STRATA_BENCH_POSTGRES_URL (\(PostgresURL.redacted(url))) holds tables that are not strata-bench's: "
                    + list(foreign.map(\.qualified)) + "; the suites drop and replace tables, so give them an empty database of their own")
        }
        if tables.isEmpty {
            try db.execute("CREATE TABLE \(try SQLIdentifier.quote(claimTable)) (claimed_at timestamptz NOT NULL DEFAULT now())")
            try db.execute("INSERT INTO \(try SQLIdentifier.quote(claimTable)) DEFAULT VALUES")
        } else if !tables.contains(where: { $0.name == claimTable }) {
            throw BenchServersError(
                .refused,
                "STRATA_BENCH_POSTGRES_URL (\(PostgresURL.redacted(url))) holds tables (" + list(tables.map(\.qualified))
                    + ") but no \(claimTable) table, so strata-bench did not set it up; it may be a real registry: give the suites an empty database of their own")
        }
    }

    /// Checks that every key of the Redis database starts with one of the suites' own prefixes.
    /// - Throws: `BenchServersError` `.refused` naming foreign keys, or `.unreachable`.
    static func checkRedis(url: String) throws {
        let parsed = try RedisURL(url)
        let redis: RedisConnection
        do {
            redis = try RedisConnection(url: parsed, timeout: .seconds(30))
        } catch let error as RedisError {
            throw BenchServersError(.unreachable, "cannot reach Redis at \(parsed.redacted)", cause: error)
        }
        let foreign = try foreignKeys(redis)
        if !foreign.isEmpty {
            throw BenchServersError(
                .refused,
                "STRATA_BENCH_REDIS_URL (\(parsed.redacted)) holds keys that are not strata-bench's: " + list(foreign)
                    + "; the suites flush their database, so give them an empty Redis database of their own")
        }
    }

    /// Up to `quoted` keys of the database that no suite writes, found by SCAN over the whole database.
    static func foreignKeys(_ redis: RedisConnection) throws -> [String] {
        var foreign: [String] = []
        var cursor = "0"
        repeat {
            let reply = try redis.command(["SCAN", cursor, "COUNT", "10000"])
            guard let parts = reply.array, parts.count == 2, let next = parts[0].string, let keys = parts[1].array else {
                throw BenchServersError(.refused, "SCAN answered \(reply), not a cursor and keys")
            }
            for key in keys.compactMap(\.bytes) where !isOwnKey(key) && foreign.count < quoted {
                foreign.append(String(decoding: key, as: UTF8.self))
            }
            cursor = next
        } while cursor != "0" && foreign.count < quoted
        return foreign
    }

    /// The tables, views and foreign tables of every schema the user can create in (not the catalogs,
    /// not other sessions' temporary schemas).
    static func relations(_ db: PostgresConnection) throws -> [(schema: String, name: String, qualified: String)] {
        let rows = try db.execute(
            """
            SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
              AND n.nspname NOT IN ('pg_catalog', 'information_schema')
              AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'
            ORDER BY 1, 2
            """)
        return (0..<rows.rowCount).map { row in
            let schema = rows.string(row, 0) ?? ""
            let name = rows.string(row, 1) ?? ""
            return (schema, name, schema == "public" ? name : "\(schema).\(name)")
        }
    }

    static func list(_ names: [String]) -> String {
        names.prefix(quoted).joined(separator: ", ") + (names.count > quoted ? " and \(names.count - quoted) more" : "")
    }
}

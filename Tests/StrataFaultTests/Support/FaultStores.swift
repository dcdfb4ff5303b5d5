import Foundation
import StrataColumnar
import StrataCore
import StrataOnline
import StrataPostgres
import StrataRedis
import StrataRegistry
import StrataTestSupport

/// One test's stores: a PostgreSQL database holding `FaultData` with its schema applied, a Redis database,
/// and a private folder for schema files and outputs; the `strata` binary runs against them as a child
/// process.
final class FaultStores {
    let postgresURL: String
    let redisURL: String
    let registry: Registry
    let redis: RedisConnection
    /// The working folder: `schema/` holds the applied schema; outputs go beside it.
    let folder: URL

    /// A copy of the data set's database on the shared PostgreSQL, or the data set loaded into the empty
    /// database at `postgresURL`; a fresh database of the shared Redis, or `redisURL`.
    init(postgresURL: String? = nil, redisURL: String? = nil) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("strata-faults-\(UUID().uuidString)")
        try FaultData.writeSchema(to: folder.appendingPathComponent("schema"))
        if let postgresURL {
            try FaultData.load(into: postgresURL, schemaFolder: folder.appendingPathComponent("schema"))
            self.postgresURL = postgresURL
        } else {
            self.postgresURL = try TestServices.shared.freshDatabaseURL(template: try FaultData.template)
        }
        self.redisURL = try redisURL ?? TestServices.shared.freshRedisURL()
        registry = try Registry(connection: try PostgresConnection(url: self.postgresURL))
        redis = try RedisConnection(url: try RedisURL(self.redisURL), timeout: .seconds(30))
    }

    deinit { try? FileManager.default.removeItem(at: folder) }

    /// The environment that points `strata` at these stores.
    var environment: [String: String] { ["STRATA_POSTGRES_URL": postgresURL, "STRATA_REDIS_URL": redisURL] }

    /// Runs `strata` to its end in the working folder.
    func strata(_ arguments: [String], redisURL: String? = nil, launcher: [String] = []) throws -> StrataCLI.Outcome {
        try start(arguments, redisURL: redisURL, launcher: launcher).wait()
    }

    /// Starts `strata` in the working folder (optionally against another Redis URL, such as a proxy's).
    func start(_ arguments: [String], redisURL: String? = nil, launcher: [String] = []) throws -> StrataCLI.Running {
        var environment = environment
        if let redisURL { environment["STRATA_REDIS_URL"] = redisURL }
        return try StrataCLI.start(arguments, environment: environment, in: folder, launcher: launcher)
    }

    /// Every record of the online store.
    func contents() throws -> OnlineContents { try OnlineContents.read(redis) }

    /// The registry's watermarks.
    func watermarks() throws -> [String: Int64] { try registry.watermarks(project: FaultData.project) }

    /// The views whose watermark Redis's marker does not witness.
    func unwitnessedViews() throws -> [String] {
        try OnlineMarkers.check(project: FaultData.project, views: FaultData.views, registry: registry, redis: redis)
            .filter { !$0.isWitnessed }.map(\.view)
    }

    /// Empties the online store and forgets the watermarks: the state before a first materialisation.
    func reset() throws {
        _ = try redis.command("FLUSHDB")
        try registry.connection.execute("DELETE FROM strata_watermarks")
    }

    /// A session that holds a lock on `table` in `mode` until it commits or rolls back, so that a command
    /// touching the table waits at a known point.
    func hold(_ table: String, mode: String = "ACCESS EXCLUSIVE") throws -> PostgresConnection {
        let blocker = try PostgresConnection(url: postgresURL)
        try blocker.execute("BEGIN")
        try blocker.execute("LOCK TABLE \(try SQLIdentifier.quote(table)) IN \(mode) MODE")
        return blocker
    }

    /// The names in the working folder other than the schema folder.
    func outputs(in directory: URL? = nil) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: (directory ?? folder).path).filter { $0 != "schema" }.sorted()
    }

    /// Waits until `count` other sessions of the database wait for a lock.
    func waitForLockWaiters(_ count: Int, seconds: Double = 120) throws {
        try Waiting.untilSessionsWaitForLocks(count, on: registry.connection, seconds: seconds)
    }
}

/// What clean runs of the whole data set leave in Redis, computed once per test process: per window end a
/// run may leave as a watermark (`FaultData.middle`, `FaultData.end`), the contents of one materialisation
/// from the beginning to it, on a Redis database of its own.
enum CleanRuns {
    /// The clean contents for the schema without (`false`) or with (`true`) user_stats's extra feature.
    static func contents(withBonus: Bool = false) throws -> [Int64: OnlineContents] {
        try (withBonus ? withBonusResult : plainResult).get()
    }

    private static let plainResult = Result { try compute(withBonus: false) }
    private static let withBonusResult = Result { try compute(withBonus: true) }

    private static func compute(withBonus: Bool) throws -> [Int64: OnlineContents] {
        let stores = try FaultStores()
        if withBonus {
            let schema = stores.folder.appendingPathComponent("bonus")
            try FaultData.writeSchema(to: schema, withBonus: true)
            try stores.registry.apply(try SchemaLoader.load(directory: schema.path))
        }
        var result: [Int64: OnlineContents] = [:]
        for end in [FaultData.middle, FaultData.end] {
            let redis = try RedisConnection(url: try RedisURL(try TestServices.shared.freshRedisURL()), timeout: .seconds(30))
            try Materializer(registry: stores.registry, redis: redis).materialize(project: FaultData.project, start: nil, end: end)
            result[end] = try OnlineContents.read(redis)
        }
        return result
    }
}

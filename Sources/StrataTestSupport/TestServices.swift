import Foundation
import StrataEmbedded
import StrataPostgres
import StrataRedis

/// The PostgreSQL and Redis servers shared by all tests of one test process, started once on first use.
///
/// `STRATA_TEST_POSTGRES_URL` and `STRATA_TEST_REDIS_URL` name servers to use; for whichever is unset,
/// a throwaway server is started under /tmp (with a random password) and stopped when the process exits, or, if
/// the process dies first, by the next start of throwaway servers.
public final class TestServices: Sendable {
    /// A failure of the shared servers or of a helper that uses them.
    public struct Failure: Error, CustomStringConvertible {
        /// What failed and what to do.
        public let description: String

        /// Creates a failure.
        public init(description: String) {
            self.description = description
        }
    }

    /// The libpq URI of the shared PostgreSQL database.
    public let postgresURL: String
    /// The URL of database 0 on the shared Redis.
    public let redisURL: String

    private let temporary: TemporaryServices?
    private let redisDatabases: Int
    private let token = String(UInt32.random(in: .min ... .max), radix: 36)
    private let databaseCounter = Counter()
    private let redisCounter = Counter()

    /// The shared servers, started on first use; throws when they cannot be started.
    public static var shared: TestServices {
        get throws { try startup.get() }
    }

    /// Whether tests needing servers should run: when the servers are up, and always under CI=true,
    /// so that a missing server fails the run there instead of skipping tests.
    public static var enabled: Bool {
        (try? startup.get()) != nil || ProcessInfo.processInfo.environment["CI"] == "true"
    }

    private static let startup = Result { try TestServices() }

    private init() throws {
        let environment = ProcessInfo.processInfo.environment
        let postgresOverride = environment["STRATA_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
        let redisOverride = environment["STRATA_TEST_REDIS_URL"].flatMap { $0.isEmpty ? nil : $0 }
        if let postgresOverride, let redisOverride {
            temporary = nil
            postgresURL = postgresOverride
            redisURL = redisOverride
        } else {
            // Test suites run many servers and child processes side by side, each with its own connections: on a
            // loaded machine they overlap longer and passed PostgreSQL's default of 100 connections.
            let services = try TemporaryServices.start(
                redisArguments: ["--databases", "256"], postgresSettings: ["max_connections": "400"])
            atexit { TestServices.stopTemporaryServices() }
            temporary = services
            postgresURL = postgresOverride ?? services.postgres.url
            redisURL = redisOverride ?? services.redis.url
        }
        let connection = try RedisConnection(url: RedisURL(redisURL))
        let reply = try? connection.command("CONFIG", "GET", "databases")
        redisDatabases = reply?.array?.last?.string.flatMap { Int($0) } ?? 16
    }

    /// Creates a database with a unique name on the shared PostgreSQL, empty or a copy of the database
    /// `template` (which no session may be connected to), and returns its URI.
    public func freshDatabaseURL(template: String? = nil) throws -> String {
        let name = "strata_test_\(token)_\(databaseCounter.next())"
        let copy = try template.map { " TEMPLATE \(try SQLIdentifier.quote($0))" } ?? ""
        try PostgresConnection(url: postgresURL).execute("CREATE DATABASE \(try SQLIdentifier.quote(name))\(copy)")
        guard var components = URLComponents(string: postgresURL) else {
            throw Failure(description: "cannot replace the database in \(postgresURL); give a postgresql:// URI")
        }
        components.path = "/\(name)"
        guard let url = components.string else {
            throw Failure(description: "cannot replace the database in \(postgresURL); give a postgresql:// URI")
        }
        return url
    }

    /// Empties a Redis database that no other test of this process uses and returns its URL.
    public func freshRedisURL() throws -> String {
        var url = try RedisURL(redisURL)
        url.database = redisCounter.next()
        guard url.database < redisDatabases else {
            throw Failure(
                description: "the shared Redis has \(redisDatabases) databases and the tests asked for more; start it with --databases 256")
        }
        _ = try RedisConnection(url: url).command("FLUSHDB")
        return url.absoluteString
    }

    private static func stopTemporaryServices() {
        guard case .success(let services) = startup else { return }
        try? services.temporary?.stop()
    }

    /// A thread-safe counter handing out 1, 2, 3, ...
    private final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var value = 0

        func next() -> Int {
            lock.lock()
            defer { lock.unlock() }
            value += 1
            return value
        }
    }
}

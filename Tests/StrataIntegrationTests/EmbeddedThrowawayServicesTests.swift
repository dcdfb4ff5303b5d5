import Foundation
import StrataEmbedded
import StrataPostgres
import StrataRedis
import StrataTestSupport
import Testing

@Suite("Throwaway services for tests", .enabled(if: TestServices.enabled))
struct EmbeddedThrowawayServicesTests {
    @Test func temporaryServicesStartAndVanish() throws {
        let services = try TemporaryServices.start()
        #expect(services.directory.hasPrefix("/tmp/"))
        #expect(services.postgres.url.hasSuffix("/strata"))
        let redis = try RedisConnection(url: RedisURL(services.redis.url), connectTimeout: .seconds(1))
        #expect(try redis.command("PING") == .status("PONG"))
        #expect(try PostgresConnection(url: services.postgres.url).execute("SELECT 1").string(0, 0) == "1")

        try services.stop()
        #expect(!FileManager.default.fileExists(atPath: services.directory))
        #expect(throws: RedisError.self) { try redis.command("PING") }
    }

    @Test func localRedisRestartsOnTheSamePort() throws {
        var server = try LocalRedis.start(arguments: ["--databases", "4"])
        defer { try? server.stop() }
        let port = server.port
        let pid = server.pid
        try server.restart()
        #expect(server.port == port)
        #expect(server.pid != pid)
        let redis = try RedisConnection(url: RedisURL(server.url))
        #expect(try redis.command("CONFIG", "GET", "databases").array?.last?.string == "4")
    }

    @Test func takenPortIsAClearError() throws {
        let server = try LocalRedis.start()
        defer { try? server.stop() }
        let error = #expect(throws: LocalServicesError.self) { try LocalRedis.start(port: server.port) }
        #expect(error?.code == .startFailed)
        #expect(error?.message.contains("port \(server.port)") == true)
    }

    @Test func sharedServicesHandOutIsolatedDatabases() throws {
        let services = try TestServices.shared
        let first = try services.freshDatabaseURL()
        let second = try services.freshDatabaseURL()
        #expect(first != second)
        let name = try #require(first.split(separator: "/").last.map(String.init))
        #expect(try PostgresConnection(url: first).execute("SELECT current_database()").string(0, 0) == name)

        let redisA = try RedisConnection(url: RedisURL(services.freshRedisURL()))
        let redisB = try RedisConnection(url: RedisURL(services.freshRedisURL()))
        #expect(redisA.url.database != redisB.url.database)
        _ = try redisA.command("SET", "only-in-a", "1")
        #expect(try redisB.command("EXISTS", "only-in-a") == .integer(0))
    }

    @Test func seededGeneratorIsSplitMix64() {
        var generator = SeededGenerator(seed: 1_234_567)
        #expect([generator.next(), generator.next(), generator.next()]
            == [6_457_827_717_110_365_317, 3_203_168_211_198_807_973, 9_817_491_932_198_370_423])
        var zero = SeededGenerator(seed: 0)
        #expect(zero.next() == 0xE220_A839_7B1D_CDAF)
        var again = SeededGenerator(seed: 42)
        var copy = again
        #expect((0..<100).map { _ in again.next() } == (0..<100).map { _ in copy.next() })
    }
}

import StrataEmbedded
import StrataRedis
import StrataTestSupport
import Testing

@Suite("Redis connection loss and reconnection", .enabled(if: TestServices.enabled))
struct RedisReconnectTests {
    @Test func reconnectsTransparentlyAfterTheServerRestarts() throws {
        var server = try LocalRedis.start(password: "restart-secret")
        defer { try? server.stop() }
        var url = try RedisURL(server.url)
        url.database = 3
        let redis = try RedisConnection(url: url)
        #expect(try redis.command("SET", "before", "1") == .status("OK"))

        let oldPID = server.pid
        try server.restart()
        #expect(server.pid != oldPID)

        #expect(try redis.command("PING") == .status("PONG"))
        #expect(try redis.command("CLIENT", "INFO").string?.contains(" db=3 ") == true)
        #expect(try redis.command("GET", "before") == .null)
    }

    @Test func serverGoingAwayMidCallIsConnectionLostThenConnectionFailed() throws {
        var server = try LocalRedis.start(password: "lost-secret")
        defer { try? server.stop() }
        let redis = try RedisConnection(url: RedisURL(server.url))

        let lost = #expect(throws: RedisError.self) { try redis.command("SHUTDOWN", "NOSAVE") }
        #expect(lost?.code == .connectionLost)
        #expect(lost?.message.contains("redis://:***@127.0.0.1:\(server.port)/0") == true)
        #expect(lost?.description.contains("lost-secret") == false)

        let failed = #expect(throws: RedisError.self) { try redis.command("PING") }
        #expect(failed?.code == .connectionFailed)
        #expect(failed?.message.contains("127.0.0.1:\(server.port)") == true)
        #expect(failed?.description.contains("lost-secret") == false)

        try server.restart()
        #expect(try redis.command("PING") == .status("PONG"))
    }

    @Test func killedServerFailsTheNextCallWithTheRedactedURL() throws {
        let server = try LocalRedis.start(password: "killed-secret")
        let redis = try RedisConnection(url: RedisURL(server.url))
        #expect(try redis.command("PING") == .status("PONG"))
        try server.stop()

        let error = #expect(throws: RedisError.self) { try redis.command("PING") }
        #expect(error?.code == .connectionFailed || error?.code == .connectionLost)
        #expect(error?.url == "redis://:***@127.0.0.1:\(server.port)/0")
        #expect(error?.description.contains("killed-secret") == false)
    }

    @Test func connectionClosedByTheServerIsReplacedOnTheNextCall() throws {
        let redis = try RedisConnection(url: RedisURL(TestServices.shared.freshRedisURL()))
        let killer = try RedisConnection(url: redis.url)
        // Only this connection is killed: the server is shared with tests running in parallel.
        let id = try #require(try redis.command("CLIENT", "ID").integer)
        #expect(try killer.command("CLIENT", "KILL", "ID", String(id)).integer == 1)
        #expect(try redis.command("PING") == .status("PONG"))
    }
}

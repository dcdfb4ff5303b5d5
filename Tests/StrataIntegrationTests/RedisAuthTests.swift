import StrataEmbedded
import StrataRedis
import StrataTestSupport
import Testing

@Suite("Redis authentication", .enabled(if: TestServices.enabled))
struct RedisAuthTests {
    @Test func authenticatesWithAndWithoutUserName() throws {
        let server = try LocalRedis.start(password: "open sesame")
        defer { try? server.stop() }
        let url = try RedisURL(server.url)
        #expect(url.password == "open sesame")
        #expect(try RedisConnection(url: url).command("PING") == .status("PONG"))

        var withUser = url
        withUser.user = "default"
        #expect(try RedisConnection(url: withUser).command("PING") == .status("PONG"))
    }

    @Test func wrongPasswordFailsWithoutShowingIt() throws {
        let server = try LocalRedis.start(password: "right-password")
        defer { try? server.stop() }
        var url = try RedisURL(server.url)
        url.password = "wrong-password"

        let error = #expect(throws: RedisError.self) { try RedisConnection(url: url) }
        #expect(error?.code == .connectionFailed)
        #expect(error?.message.contains("redis://:***@127.0.0.1:\(server.port)/0") == true)
        #expect(error?.underlying?.contains("WRONGPASS") == true)
        #expect(error?.description.contains("wrong-password") == false)
    }

    @Test func missingPasswordIsAServerErrorOnFirstCommand() throws {
        let server = try LocalRedis.start(password: "needed")
        defer { try? server.stop() }
        var url = try RedisURL(server.url)
        url.password = nil
        let redis = try RedisConnection(url: url)

        let error = #expect(throws: RedisError.self) { try redis.command("GET", "k") }
        #expect(error?.code == .serverError)
        #expect(error?.underlying?.hasPrefix("NOAUTH") == true)
    }
}

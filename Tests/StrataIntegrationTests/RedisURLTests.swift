import StrataRedis
import Testing

@Suite("Redis URL parsing")
struct RedisURLTests {
    @Test func parsesEveryPart() throws {
        let url = try RedisURL("redis://alice:s3cr%40t@cache.example:6380/4")
        #expect(url.host == "cache.example")
        #expect(url.port == 6380)
        #expect(url.database == 4)
        #expect(url.user == "alice")
        #expect(url.password == "s3cr@t")
        #expect(url.redacted == "redis://alice:***@cache.example:6380/4")
        #expect("\(url)" == url.redacted)
        #expect(try RedisURL(url.absoluteString) == url)
    }

    @Test func fillsDefaults() throws {
        let url = try RedisURL("redis://localhost")
        #expect(url == RedisURL(host: "localhost", port: 6379, database: 0))
        #expect(url.redacted == "redis://localhost:6379/0")
        #expect(try RedisURL("redis://localhost/").database == 0)
    }

    @Test func acceptsPasswordWithoutUserAndIPv6() throws {
        let url = try RedisURL("redis://:p@ss/word@[::1]:7000/2")
        #expect(url.user == nil)
        #expect(url.password == "p@ss/word")
        #expect(url.host == "::1")
        #expect(url.port == 7000)
        #expect(url.database == 2)
        #expect(url.redacted == "redis://:***@[::1]:7000/2")
        #expect(try RedisURL(url.absoluteString) == url)
    }

    @Test(arguments: [
        "http://localhost", "redis://", "redis://:pw@", "redis://host:0", "redis://host:70000", "redis://host:abc",
        "redis://host/x", "redis://host/-1", "redis://host/1/2", "rediss://host", "redis://[::1", "redis://[::1]x",
        "redis://:p%zz@host",
    ])
    func rejectsBadURLs(_ text: String) {
        #expect {
            try RedisURL(text)
        } throws: { error in
            guard let error = error as? RedisError else { return false }
            return error.code == .badURL && error.message.hasPrefix("bad Redis URL")
        }
    }

    @Test func badURLErrorHidesThePassword() {
        do {
            _ = try RedisURL("redis://bob:hunter2@cache:port/0")
            Issue.record("expected an error")
        } catch let error as RedisError {
            #expect(error.code == .badURL)
            #expect(error.message.contains("redis://bob:***@cache:***/0"))
            #expect(!error.description.contains("hunter2"))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }
}

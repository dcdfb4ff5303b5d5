import StrataRedis
import Testing

@Suite("Redis Cluster URLs")
struct RedisClusterURLTests {
    @Test func parsesSeedsAndCredentials() throws {
        let url = try RedisClusterURL("redis+cluster://alice:s3cr%40t@10.0.0.1:7000,[::1]:7001,cache.example")
        #expect(url.seeds == [.init(host: "10.0.0.1", port: 7000), .init(host: "::1", port: 7001), .init(host: "cache.example", port: 6379)])
        #expect(url.user == "alice")
        #expect(url.password == "s3cr@t")
        #expect(url.redacted == "redis+cluster://alice:***@10.0.0.1:7000,[::1]:7001,cache.example:6379")
        #expect("\(url)" == url.redacted)
        #expect(try RedisClusterURL(url.absoluteString) == url)
        #expect(url.nodeURL(host: "10.0.0.9", port: 7005) == RedisURL(host: "10.0.0.9", port: 7005, user: "alice", password: "s3cr@t"))
    }

    @Test func acceptsAPasswordAloneDatabaseZeroAndTheQueryForm() throws {
        let url = try RedisClusterURL("redis+cluster://:p@ss/word@127.0.0.1:30001/0")
        #expect(url.user == nil && url.password == "p@ss/word")
        #expect(url.redacted == "redis+cluster://:***@127.0.0.1:30001")
        #expect(try RedisClusterURL("redis+cluster://127.0.0.1:1?password=x").password == "x")
        #expect(try RedisEndpoint("redis+cluster://127.0.0.1:1") == .cluster(RedisClusterURL(seeds: [.init(host: "127.0.0.1", port: 1)])))
        #expect(try RedisEndpoint("redis://127.0.0.1:1/2") == .server(RedisURL(host: "127.0.0.1", port: 1, database: 2)))
    }

    @Test(arguments: [
        "redis+cluster://", "redis+cluster://a:1,,b:2", "redis+cluster://a:1,", "redis+cluster://a:70000",
        "redis+cluster://a:1/3", "redis+cluster://a:x", "redis+clusters://a:1", "redis://a:1,b:2",
    ])
    func rejectsBadURLs(_ text: String) {
        #expect {
            try RedisEndpoint(text)
        } throws: { error in
            (error as? RedisError)?.code == .badURL
        }
    }

    @Test func errorsHideThePassword() {
        for text in ["redis+cluster://bob:hunter2@a:1,b:port", "redis+cluster://:hunter2@a:1/5", "redis+cluster://:hunter2@a:1?x=hunter2"] {
            do {
                _ = try RedisClusterURL(text)
                Issue.record("expected an error for \(text)")
            } catch {
                #expect(!"\(error)".contains("hunter2"), "\(error)")
                #expect("\(error)".contains("bad Redis Cluster URL"))
            }
        }
    }
}

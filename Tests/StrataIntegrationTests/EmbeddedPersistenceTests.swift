import Foundation
import StrataEmbedded
import StrataRedis
import StrataTestSupport
import Testing

/// The embedded Redis keeps its data across `strata down` and `strata up`; throwaway servers keep nothing.
@Suite("Embedded Redis persistence", .enabled(if: TestServices.enabled))
struct EmbeddedPersistenceTests {
    @Test func downThenUpKeepsEveryValue() throws {
        let scratch = "/tmp/strata-persistence-test-\(UUID().uuidString.prefix(8))"
        let directory = "\(scratch)/.strata"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer {
            _ = try? LocalServices.down(directory: directory)
            try? FileManager.default.removeItem(atPath: scratch)
        }
        let services = try LocalServices.up(directory: directory)
        let redis = try RedisConnection(url: RedisURL(services.redis.url))
        var generator = SeededGenerator(seed: 20_260_301)
        var written: [String: String] = [:]
        for index in 0..<2_000 {
            let value = String(generator.next(), radix: 36)
            written["key:\(index)"] = value
            _ = try redis.command("SET", "key:\(index)", value)
        }
        _ = try redis.command("HSET", "hash", "a", "1", "b", "2")
        _ = try redis.command("SELECT", "3")
        _ = try redis.command("SET", "in-db-3", "kept")

        let down = try StrataCLI.run(["down", "--state-dir", directory])
        #expect(down.status == 0, "\(down.stderr)")
        #expect(down.stdout.contains("redis: stopped; its data is kept in \(services.redis.directory)/appendonlydir"))
        #expect(try LocalServices.status(directory: directory)?.redis.state == .stopped)

        let again = try LocalServices.up(directory: directory)
        #expect(again.redis.state == .started)
        let reopened = try RedisConnection(url: RedisURL(again.redis.url))
        #expect(try reopened.command("DBSIZE") == .integer(2_001))
        for (key, value) in written {
            #expect(try reopened.command("GET", key).string == value, "\(key)")
        }
        #expect(try reopened.command("HGET", "hash", "b").string == "2")
        _ = try reopened.command("SELECT", "3")
        #expect(try reopened.command("GET", "in-db-3").string == "kept")
        let settings = try reopened.command("CONFIG", "GET", "append*").array?.compactMap(\.string) ?? []
        #expect(settings.contains("appendonly") && settings.contains("yes"))
        #expect(try reopened.command("CONFIG", "GET", "appendfsync").array?.last?.string == "everysec")
        #expect(try reopened.command("CONFIG", "GET", "dir").array?.last?.string == again.redis.directory)
    }

    @Test func throwawayRedisKeepsNothingOnDisk() throws {
        let services = try TemporaryServices.start()
        defer { try? services.stop() }
        let redis = try RedisConnection(url: RedisURL(services.redis.url))
        #expect(try redis.command("CONFIG", "GET", "appendonly").array?.last?.string == "no")
        #expect(try redis.command("CONFIG", "GET", "save").array?.last?.string == "")
    }
}

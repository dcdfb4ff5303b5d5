import StrataRedis
import StrataTestSupport
import Testing

@Suite("Redis connection against a real server", .enabled(if: TestServices.enabled))
struct RedisConnectionTests {
    let redis: RedisConnection

    init() throws {
        redis = try RedisConnection(url: RedisURL(TestServices.shared.freshRedisURL()))
    }

    @Test func repliesOfEveryKind() throws {
        #expect(try redis.command("SET", "greeting", "hello") == .status("OK"))
        #expect(try redis.command("GET", "greeting") == .bulk(Array("hello".utf8)))
        #expect(try redis.command("GET", "greeting").string == "hello")
        #expect(try redis.command("GET", "missing") == .null)
        #expect(try redis.command("INCR", "counter") == .integer(1))
        #expect(try redis.command("RPUSH", "list", "a", "b", "c").integer == 3)
        #expect(try redis.command("LRANGE", "list", "0", "-1") == .array([.bulk([97]), .bulk([98]), .bulk([99])]))
        #expect(try redis.command("MGET", "greeting", "missing") == .array([.bulk(Array("hello".utf8)), .null]))
        #expect(try redis.command("PING") == .status("PONG"))
    }

    @Test func valuesAreBinarySafe() throws {
        let key: [UInt8] = [107, 0, 1]
        let value: [UInt8] = [0, 1, 0, 255, 10, 13, 0]
        #expect(try redis.command([Array("SET".utf8), key, value]) == .status("OK"))
        #expect(try redis.command([Array("GET".utf8), key]) == .bulk(value))
        #expect(try redis.command([Array("STRLEN".utf8), key]) == .integer(7))
        #expect(try redis.command(["SET", "empty", ""]) == .status("OK"))
        #expect(try redis.command("GET", "empty") == .bulk([]))
    }

    @Test func largeValuesRoundTrip() throws {
        var generator = SeededGenerator(seed: 7)
        let value = (0..<(1 << 20)).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        _ = try redis.command([Array("SET".utf8), Array("big".utf8), value])
        #expect(try redis.command([Array("GET".utf8), Array("big".utf8)]) == .bulk(value))
    }

    @Test func serverErrorsAreThrownAndLeaveTheConnectionUsable() throws {
        _ = try redis.command("SET", "text", "v")
        do {
            _ = try redis.command("LPUSH", "text", "x")
            Issue.record("expected WRONGTYPE")
        } catch let error as RedisError {
            #expect(error.code == .serverError)
            #expect(error.underlying?.hasPrefix("WRONGTYPE") == true)
            #expect(error.message.contains(redis.url.redacted))
        }
        #expect(try redis.command("PING") == .status("PONG"))
    }

    @Test func pipelinesAThousandCommands() throws {
        let commands = Array(repeating: ["INCR", "pipelined"], count: 1000)
        let replies = try redis.pipeline(commands)
        #expect(replies == (1...1000).map { RedisReply.integer(Int64($0)) })
        #expect(redis.pendingReplies == 0)
    }

    @Test func pipelineReturnsErrorRepliesInPlace() throws {
        let replies = try redis.pipeline([["SET", "p", "1"], ["LPUSH", "p", "x"], ["GET", "p"]])
        #expect(replies.count == 3)
        #expect(replies[0] == .status("OK"))
        guard case .error(let message) = replies[1] else {
            Issue.record("expected an error reply, got \(replies[1])")
            return
        }
        #expect(message.hasPrefix("WRONGTYPE"))
        #expect(replies[2].string == "1")
    }

    @Test func zeroCopyAppendAndRead() throws {
        _ = try redis.pipeline([["SET", "user:1", "ada"], ["SET", "user:3", "grace"]])
        let arena = Array("MGETuser:1user:2user:3".utf8)
        let ranges = [0..<4, 4..<10, 10..<16, 16..<22]
        let values: [String?] = try arena.withUnsafeBytes { bytes in
            let arguments = ranges.map { UnsafeRawBufferPointer(rebasing: bytes[$0]) }
            try arguments.withUnsafeBufferPointer { try redis.append($0) }
            try arguments.withUnsafeBufferPointer { try redis.append(UnsafeBufferPointer(rebasing: $0[0..<2])) }
            let first: [String?] = try redis.readReply { view in
                #expect(view.kind == .array)
                return view.map { $0.isNull ? nil : String(decoding: $0.bytes!, as: UTF8.self) }
            }
            let second = try redis.readReply { $0.reply }
            #expect(second == .array([.bulk(Array("ada".utf8))]))
            return first
        }
        #expect(values == ["ada", nil, "grace"])
    }

    @Test func errorsThrownByTheReaderKeepTheConnection() throws {
        struct Stop: Error {}
        try redis.append(["PING"])
        #expect(throws: Stop.self) { try redis.readReply { _ in throw Stop() } }
        #expect(redis.pendingReplies == 0)
        #expect(try redis.command("PING") == .status("PONG"))
    }

    @Test func timeoutBreaksTheCallAndTheNextCallReconnects() throws {
        _ = try redis.command("SET", "kept", "yes")
        redis.timeout = .milliseconds(100)
        let clock = ContinuousClock()
        let start = clock.now
        do {
            _ = try redis.command("BLPOP", "never-pushed", "2")
            Issue.record("expected a timeout")
        } catch let error as RedisError {
            #expect(error.code == .timeout)
            #expect(error.message.contains(redis.url.redacted))
        }
        #expect(clock.now - start < .milliseconds(1500))
        redis.timeout = nil
        let kept = try redis.command("GET", "kept")
        #expect(kept.string == "yes", "\(kept)")
    }

    @Test func connectingToAClosedPortFailsWithTheRedactedURL() throws {
        let closed = try RedisURL(TestServices.shared.redisURL)
        let url = RedisURL(host: closed.host, port: 1, database: 0, password: "topsecret")
        do {
            _ = try RedisConnection(url: url, connectTimeout: .seconds(1))
            Issue.record("expected a connection failure")
        } catch let error as RedisError {
            #expect(error.code == .connectionFailed)
            #expect(error.message.contains("redis://:***@\(closed.host):1/0"))
            #expect(!error.description.contains("topsecret"))
        }
    }
}

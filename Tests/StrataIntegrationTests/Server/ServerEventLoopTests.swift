import Foundation
import HummingbirdTesting
import StrataColumnar
import StrataEmbedded
import StrataRedis
import StrataRegistry
import StrataServer
import StrataTestSupport
import Testing

/// Lookups answered on the connection's event loop over its own Redis connection (`FastLookupHandler`,
/// `EventLoopRedis`), on a live port: order, hand-over to the router, and Redis failures.
@Suite("strata serve: lookups on the event loop", .enabled(if: TestServices.enabled))
struct ServerEventLoopTests {
    static func lookup(_ user: Int64) -> String {
        #"{"features":["user_stats:clicks","user_stats:segment"],"entities":{"user_id":[\#(user)]},"at":"\#(ServerFixture.atText)"}"#
    }

    /// Runs blocking socket code on a thread of its own, off Swift's cooperative pool.
    static func blocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try body() }) }.start()
        }
    }

    @Test func pipelinedRequestsAreAnsweredInOrderWhicheverCodeAnswersThem() async throws {
        let fixture = try ServerFixture()
        let features = ["user_stats:clicks", "user_stats:segment"]
        let expected = try [1, 2, 4].map { try fixture.cliJSON(features, users: [$0]) }
        try await fixture.server.application().testOnServerThreads(.live) { client in
            let port = try #require(client.port)
            let body = Self.lookup(2)
            // A chunked body has no length up front: the router answers it, between two event-loop answers.
            let chunked = "POST /get-online-features HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                + String(body.utf8.count, radix: 16) + "\r\n" + body + "\r\n0\r\n\r\n"
            let requests = [
                LoopbackHTTP.text(method: "POST", path: "/get-online-features", body: Self.lookup(1)),
                LoopbackHTTP.text(method: "GET", path: "/health"),
                chunked,
                LoopbackHTTP.text(method: "POST", path: "/get-online-features", body: Self.lookup(4)),
                LoopbackHTTP.text(method: "POST", path: "/get-online-features", body: #"{"features":"#),
                LoopbackHTTP.text(method: "POST", path: "/get-online-features", body: Self.lookup(1), close: true),
            ]
            let (replies, closed) = try await Self.blocking { try LoopbackHTTP.pipeline(port: port, requests: requests) }
            #expect(replies.map(\.status) == [200, 200, 200, 200, 400, 200])
            #expect(replies[0].text == expected[0])
            #expect(replies[1].text.contains("\"redis\""))
            #expect(replies[2].text == expected[1])
            #expect(replies[3].text == expected[2])
            #expect(replies[4].text.contains("malformed_json"))
            #expect(replies[5].text == expected[0])
            #expect(closed, "the server keeps a connection open after answering Connection: close")
        }
    }

    /// More pipelined requests than the handler holds: it stops reading until it has answered them.
    @Test func thousandsOfPipelinedRequestsAreAllAnsweredInOrder() async throws {
        let fixture = try ServerFixture()
        let features = ["user_stats:clicks", "user_stats:segment"]
        let users: [Int64] = [1, 2, 4]
        let expected = try users.map { try fixture.cliJSON(features, users: [$0]) }
        try await fixture.server.application().testOnServerThreads(.live) { client in
            let port = try #require(client.port)
            let requests = (0..<2000).map { index in
                LoopbackHTTP.text(method: "POST", path: "/get-online-features", body: Self.lookup(users[index % 3]))
            }
            let (replies, _) = try await Self.blocking { try LoopbackHTTP.pipeline(port: port, requests: requests) }
            #expect(replies.count == 2000)
            #expect(replies.indices.allSatisfy { replies[$0].status == 200 && replies[$0].text == expected[$0 % 3] })
        }
    }

    @Test func aPredictionTheLoopCannotScoreIsHandedOverInOrder() async throws {
        let fixture = try ServerFixture { $0.maxEntities = 1000 }
        let (version, model) = try fixture.registerModel("ranker", seed: 5)
        try ModelStore(registry: fixture.online.registry).promote(name: "ranker", version: version, stage: "production")
        let server = try FeatureServer(configuration: fixture.server.configuration, logger: ServerFixture.logger)
        defer { server.stopWorkers() }
        try await server.application().testOnServerThreads(.live) { client in
            let port = try #require(client.port)
            func predict(_ selector: String, users: [Int64]) -> String {
                LoopbackHTTP.text(
                    method: "POST", path: "/predict",
                    body: #"{"model":"ranker",\#(selector),"entities":{"user_id":[\#(users.map(String.init).joined(separator: ","))]},"at":"\#(ServerFixture.atText)"}"#)
            }
            // The staged version is loaded and judged at start: scored on the loop. Version 99 is not
            // loaded, and 300 rows are more than the loop scores: both go to the route, in order.
            let many = (0..<300).map { Int64($0 % 4 + 1) }
            let requests = [
                predict(#""stage":"production""#, users: [1]),
                predict(#""version":99"#, users: [1]),
                predict(#""version":\#(version)"#, users: many),
                predict(#""stage":"production""#, users: [3]),
            ]
            let (replies, _) = try await Self.blocking { try LoopbackHTTP.pipeline(port: port, requests: requests) }
            #expect(replies.map(\.status) == [200, 404, 200, 200])
            let first = try #require(replies[0].json["predictions"] as? [Double])
            #expect(first.count == 1 && abs(first[0] - model.predict(row: [7, 2.0, 3])) <= 1e-12)
            #expect(replies[1].json["error"] as? String == "unknown_model")
            let scored = try #require(replies[2].json["predictions"] as? [Double])
            let byUser: [Int64: Double] = [
                1: model.predict(row: [7, 2.0, 3]), 2: model.predict(row: [.nan, .nan, .nan]),
                3: model.predict(row: [.nan, .nan, .nan]), 4: model.predict(row: [.nan, .nan, .nan]),
            ]
            #expect(scored.count == 300)
            #expect(zip(scored, many).allSatisfy { abs($0 - byUser[$1]!) <= 1e-12 })
            let last = try #require(replies[3].json["predictions"] as? [Double])
            #expect(last.count == 1 && abs(last[0] - model.predict(row: [.nan, .nan, .nan])) <= 1e-12)
        }
    }

    @Test func manyConnectionsAtOnceGetTheirOwnAnswers() async throws {
        let fixture = try ServerFixture()
        let features = ["user_stats:clicks", "user_stats:segment"]
        let expected = try Dictionary(uniqueKeysWithValues: [1, 2, 3, 4].map { ($0, try fixture.cliJSON(features, users: [$0])) })
        try await fixture.server.application().testOnServerThreads(.live) { client in
            let port = try #require(client.port)
            // Requests from many connections arrive in one turn of the loop and share one pipelined write.
            let answers = try await withThrowingTaskGroup(of: (Int64, [LoopbackHTTP.Reply]).self) { group in
                for connection in 0..<16 {
                    let user = Int64(connection % 4 + 1)
                    let requests = Array(
                        repeating: LoopbackHTTP.text(method: "POST", path: "/get-online-features", body: Self.lookup(user)), count: 20)
                    group.addTask { (user, try await Self.blocking { try LoopbackHTTP.pipeline(port: port, requests: requests).replies }) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(answers.count == 16)
            for (user, replies) in answers {
                #expect(replies.count == 20)
                #expect(replies.allSatisfy { $0.status == 200 && $0.text == expected[user] }, "user \(user)")
            }
        }
    }

    /// Both the event loop's connection and the workers' (which answer what reaches the router) retry.
    @Test(arguments: ServerRouteTests.paths)
    func aLookupAfterRedisDroppedTheConnectionIsAnsweredOnANewOne(_ path: ServerPath) async throws {
        let redis = UncheckedSendable(RedisProcess(try LocalRedis.start(password: "loop-kill")))
        defer { try? redis.value.server.stop() }
        let fixture = try ServerFixture(redisURL: redis.value.server.url)
        let expected = try fixture.cliJSON(["user_stats:clicks", "user_stats:segment"], users: [1])
        try await fixture.server.application().testOnServerThreads(path.setup) { client in
            #expect(try await client.post("/get-online-features", Self.lookup(1)).text == expected)
            let admin = try RedisConnection(url: try RedisURL(redis.value.server.url))
            guard case .integer(let killed) = try admin.command("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes") else {
                Issue.record("CLIENT KILL gave no count")
                return
            }
            #expect(killed >= 1)
            for _ in 0..<3 {
                let reply = try await client.post("/get-online-features", Self.lookup(1))
                #expect(reply.status == 200, "\(reply.text)")
                #expect(reply.text == expected)
            }
            let metrics = try await client.get("/metrics").text
            let reconnects = metrics.split(separator: "\n").first { $0.hasPrefix("strata_redis_reconnects_total ") }
            #expect(reconnects.flatMap { Double($0.split(separator: " ")[1]) }.map { $0 >= 1 } == true, "\(reconnects ?? "no reconnect count")")
        }
    }

    @Test func aRedisThatStopsAnsweringGivesA503ThenTheServerRecovers() async throws {
        let redis = UncheckedSendable(RedisProcess(try LocalRedis.start()))
        defer { try? redis.value.server.stop() }
        let fixture = try ServerFixture(redisURL: redis.value.server.url)
        let expected = try fixture.cliJSON(["user_stats:clicks", "user_stats:segment"], users: [1])
        try await fixture.server.application().testOnServerThreads(.live) { client in
            #expect(try await client.post("/get-online-features", Self.lookup(1)).text == expected)
            // Redis holds every command of normal clients for 3 s: longer than the server waits (2 s).
            let admin = try RedisConnection(url: try RedisURL(redis.value.server.url))
            _ = try admin.command("CLIENT", "PAUSE", "3000", "ALL")
            let stalled = try await client.post("/get-online-features", Self.lookup(1))
            #expect(stalled.status == 503)
            #expect(stalled.json["error"] as? String == "redis_unavailable")
            #expect(stalled.text.contains("did not answer"))
            var reply = try await client.post("/get-online-features", Self.lookup(1))
            for _ in 0..<100 where reply.status != 200 {
                try await Task.sleep(for: .milliseconds(50))
                reply = try await client.post("/get-online-features", Self.lookup(1))
            }
            #expect(reply.text == expected)
        }
    }
}

extension LoopbackHTTP.Reply {
    /// The body parsed as a JSON object (empty when it is not one).
    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:]
    }
}

import Foundation
import HummingbirdTesting
import StrataColumnar
import StrataEmbedded
import StrataRegistry
import StrataServer
import StrataTestSupport
import Testing

@Suite("strata serve: on a live port", .enabled(if: TestServices.enabled))
struct ServerLiveTests {
    @Test func aPromotionSwitchesPredictWhileRequestsRun() async throws {
        let fixture = try ServerFixture()
        let first = try fixture.registerModel("ranker", seed: 11).version
        let second = try fixture.registerModel("ranker", seed: 12).version
        let models = UncheckedSendable(ModelStore(registry: fixture.online.registry))
        try models.value.promote(name: "ranker", version: first, stage: "production")
        let server = try FeatureServer(configuration: fixture.server.configuration, logger: ServerFixture.logger)
        let body = #"{"model":"ranker","entities":{"user_id":[1,2]},"at":"\#(ServerFixture.atText)"}"#
        let seen = try await server.application().testOnServerThreads(.live) { client in
            var seen: [Int] = []
            var promoted = false
            for _ in 0..<5_000 {
                let reply = try await client.post("/predict", body)
                #expect(reply.status == 200, "\(reply.text)")
                let version = try #require(reply.json["version"] as? Int)
                seen.append(version)
                if version == second { break }
                if seen.count == 20 && !promoted {
                    try models.value.promote(name: "ranker", version: second, stage: "production")
                    promoted = true
                }
                if promoted { try await Task.sleep(for: .milliseconds(5)) }
            }
            return seen
        }
        #expect(seen.first == first)
        #expect(seen.last == second)
        // Once a request saw the new version, none saw the old one again.
        let switchAt = try #require(seen.firstIndex(of: second))
        #expect(seen[switchAt...].allSatisfy { $0 == second })
    }

    @Test func anApplyReachesTheRunningServer() async throws {
        let fixture = UncheckedSendable(try ServerFixture())
        let body = #"{"feature_service":"stores_only","entities":{"store_code":["s1"]},"at":"\#(ServerFixture.atText)"}"#
        try await fixture.value.server.application().testOnServerThreads(.live) { client in
            #expect(try await client.post("/get-online-features", body).status == 404)
            try fixture.value.online.apply(
                OnlineFixture.schema() + "\n  - name: stores_only\n    features: [store_stats:rating]\n")
            var reply = try await client.post("/get-online-features", body)
            for _ in 0..<200 where reply.status != 200 {
                try await Task.sleep(for: .milliseconds(25))
                reply = try await client.post("/get-online-features", body)
            }
            #expect(reply.status == 200, "\(reply.text)")
            #expect(reply.text.contains(#"{"values":[4.5],"statuses":["PRESENT"]"#))
            let health = try await client.get("/health")
            #expect((health.json["registry"] as? [String: Any])?["version"] as? Int == 2)
        }
    }

    @Test func aRedisRestartGives503sThenRecoversWithoutARestart() async throws {
        let redis = UncheckedSendable(RedisProcess(try LocalRedis.start(password: "serve-restart")))
        defer { try? redis.value.server.stop() }
        let fixture = try ServerFixture(redisURL: redis.value.server.url)
        let body = #"{"features":["user_stats:clicks"],"entities":{"user_id":[1]},"at":"\#(ServerFixture.atText)"}"#
        try await fixture.server.application().testOnServerThreads(.live) { client in
            #expect(try await client.post("/get-online-features", body).status == 200)
            try redis.value.server.stop()
            let down = try await client.post("/get-online-features", body)
            #expect(down.status == 503)
            #expect(down.json["error"] as? String == "redis_unavailable")
            #expect(down.text.contains("serve-restart") == false)
            #expect(try await client.get("/health").status == 503)
            try redis.value.server.restart()
            var reply = try await client.post("/get-online-features", body)
            for _ in 0..<100 where reply.status != 200 {
                try await Task.sleep(for: .milliseconds(20))
                reply = try await client.post("/get-online-features", body)
            }
            #expect(reply.status == 200, "\(reply.text)")
            // The restarted Redis kept nothing: the answer is truthful.
            #expect(reply.text.contains(#""statuses":["NOT_FOUND"]"#))
            #expect(try await client.get("/health").status == 200)
        }
    }

    @Test func everySampledRequestIsLoggedAndTheQueueIsFlushedOnShutdown() async throws {
        let fixture = try ServerFixture { $0.logSample = 1 }
        let (version, _) = try fixture.registerModel("ranker", seed: 21)
        let requests = 300
        try await fixture.server.application().testOnServerThreads(.live) { client in
            for index in 0..<requests {
                let users = index % 3 == 0 ? "[1,2]" : "[1]"
                let reply: Reply
                if index % 10 == 0 {
                    reply = try await client.post(
                        "/predict",
                        #"{"model":"ranker","version":\#(version),"entities":{"user_id":\#(users)},"at":"\#(ServerFixture.atText)"}"#,
                        headers: [.init("x-request-id")!: "req-\(index)"])
                } else {
                    reply = try await client.post(
                        "/get-online-features",
                        #"{"features":["user_stats:spend","user_stats:segment"],"entities":{"user_id":\#(users)},"at":"\#(ServerFixture.atText)"}"#,
                        headers: [.init("x-request-id")!: "req-\(index)"])
                }
                #expect(reply.status == 200)
            }
        }
        // The application has shut down: whatever was queued is in the table now.
        let expectedRows = (0..<requests).reduce(0) { $0 + ($1 % 3 == 0 ? 2 : 1) }
        let db = fixture.online.db
        let count = try db.execute("SELECT count(*), count(DISTINCT request_id) FROM strata_served_features")
        #expect(count.int(0, 0) == Int64(expectedRows))
        #expect(count.int(0, 1) == Int64(requests))
        let row = try db.execute(
            """
            SELECT route, row_index, entities::text, features->'user_stats:spend', features->>'user_stats:segment',
                   statuses->>'user_stats:spend', as_of = $1::timestamptz
            FROM strata_served_features WHERE request_id = 'req-3' ORDER BY row_index
            """, [.text(ServerFixture.atText)])
        #expect(row.rowCount == 2)
        #expect(row.string(0, 0) == "get-online-features")
        #expect(row.string(0, 2) == #"{"user_id":1}"#)
        #expect(row.string(0, 3) == "2.0")
        #expect(row.string(0, 4) == "gold \"1\"")
        #expect(row.string(1, 5) == "NULL_VALUE")
        #expect(row.bool(0, 6) == true)
        let predicted = try db.execute(
            "SELECT model, model_version, prediction IS NOT NULL FROM strata_served_features WHERE request_id = 'req-10'")
        #expect(predicted.string(0, 0) == "ranker")
        #expect(predicted.int(0, 1) == Int64(version))
        #expect(predicted.bool(0, 2) == true)
    }
}

/// A Redis server that a test stops and restarts from inside a client closure.
final class RedisProcess {
    var server: LocalRedis
    init(_ server: LocalRedis) { self.server = server }
}

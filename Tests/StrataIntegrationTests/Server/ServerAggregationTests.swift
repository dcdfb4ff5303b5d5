import Foundation
import Hummingbird
import HummingbirdTesting
import StrataColumnar
import StrataCore
import StrataOnline
import StrataServer
import StrataTestSupport
import Testing

@Suite("strata serve: aggregation views", .enabled(if: TestServices.enabled))
struct ServerAggregationTests {
    /// The server answers an aggregation view's lookups exactly as `strata online` does, values and
    /// statuses, for an entity with events and one without; a push to an aggregation view must reach
    /// the source (`online_and_offline`), and then moves the windows.
    @Test func theServerAnswersAsStrataOnlineAndPushesThroughTheSource() async throws {
        let fixture = try AggregationFixture(seed: 61)
        let now = Int64(Date().timeIntervalSince1970 * 1e6)
        try fixture.insert(fixture.randomEvents(200, from: now - 20 * AggregationFixture.day, to: now - AggregationFixture.day))
        try Materializer(registry: fixture.registry, redis: fixture.redis)
            .materialize(project: "fleet", views: ["activity"], start: nil, end: now - AggregationFixture.day)
        var configuration = ServerConfiguration(postgresURL: fixture.url, redisURL: fixture.redisURL)
        configuration.port = 0
        let server = try FeatureServer(configuration: configuration, logger: ServerFixture.logger)
        defer { server.stopWorkers() }

        let at = now + 1_000_000
        let drivers = [Int64(1), 2, fixture.entities + 1]
        let references = fixture.references
        let expected = try OnlineStore(redis: fixture.redis, repository: fixture.repository)
            .onlineFeatures(references, entities: Frame(names: ["driver_id"], columns: [Column(int64: drivers)]), at: at)
            .feastJSON()
        let list = references.map { "\"\($0.description)\"" }.joined(separator: ",")
        let body = #"{"features":[\#(list)],"entities":{"driver_id":[\#(drivers.map(String.init).joined(separator: ","))]},"at":"\#(UTCTimestamp.format(at))"}"#
        let hour = UTCTimestamp.format(now - 3_600_000_000)
        let newcomer = fixture.entities + 1
        @Sendable func push(to: String) -> String {
            #"{"push_source_name":"activity","to":"\#(to)","df":{"driver_id":[\#(newcomer)],"ts":["\#(hour)"],"fare":[12.5],"note":["x"],"rating":[4],"flag":[true]}}"#
        }
        try await server.application().testOnServerThreads(.router) { client in
            let reply = try await client.post("/get-online-features", body)
            #expect(reply.status == 200, "\(reply.text)")
            #expect(reply.text == expected)
            #expect(reply.text.contains(#""statuses":["PRESENT","PRESENT","PRESENT"]"#))

            let refused = try await client.post("/push", push(to: "online"))
            #expect(refused.status == 400, "\(refused.text)")
            #expect(refused.json["detail"] != nil, "\(refused.text)")
            // A push may be re-sent (newer wins): a 503 (a store slow to answer on a loaded machine) is retried.
            var pushed = try await client.post("/push", push(to: "online_and_offline"))
            for _ in 0..<3 where pushed.status == 503 {
                try await Task.sleep(for: .milliseconds(500))
                pushed = try await client.post("/push", push(to: "online_and_offline"))
            }
            #expect(pushed.status == 200, "\(pushed.text)")
            let after = try await client.post("/get-online-features", body.replacingOccurrences(of: #","at":"\#(UTCTimestamp.format(at))""#, with: ""))
            let results = try #require(after.json["results"] as? [[String: Any]])
            // results: the join key, events_n, events_30d, ...: the driver without events now counts one.
            #expect((results[2]["values"] as? [Any])?.last as? Int == 1, "\(after.text)")
        }
        let differences = try fixture.onlineDifferences(at: [Int64(Date().timeIntervalSince1970 * 1e6) + 1_000_000], label: "server push")
        #expect(differences.isEmpty, "\(differences.prefix(10))")
    }
}

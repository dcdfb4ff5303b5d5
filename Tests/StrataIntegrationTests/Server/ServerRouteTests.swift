import Foundation
import Hummingbird
import HummingbirdTesting
import StrataColumnar
import StrataCore
import StrataRegistry
import StrataServer
import StrataTestSupport
import Testing

@Suite("strata serve: routes, in process", .enabled(if: TestServices.enabled))
struct ServerRouteTests {
    static let userFeatures = [
        "user_stats:clicks", "user_stats:spend", "user_stats:ratio", "user_stats:rank", "user_stats:vip",
        "user_stats:segment", "user_stats:last_seen",
    ]

    static func featuresBody(_ features: [String], users: [Int64], extra: String = "") -> String {
        let list = features.map { "\"\($0)\"" }.joined(separator: ",")
        return #"{"features":[\#(list)],"entities":{"user_id":[\#(users.map(String.init).joined(separator: ","))]},"at":"\#(ServerFixture.atText)"\#(extra)}"#
    }

    /// Lookups are answered on the connection's event loop by a live server, and by the route when
    /// they reach the router (as in-process tests send them): both must give the same answers.
    static let paths: [ServerPath] = [.router, .eventLoop]

    @Test(arguments: Self.paths) func getOnlineFeaturesAnswersExactlyWhatStrataOnlinePrints(_ path: ServerPath) async throws {
        let fixture = try ServerFixture()
        let expected = try fixture.cliJSON(Self.userFeatures, users: [1, 2, 3, 4])
        try await fixture.server.application().testOnServerThreads(path.setup) { client in
            let reply = try await client.post("/get-online-features", Self.featuresBody(Self.userFeatures, users: [1, 2, 3, 4]))
            #expect(reply.status == 200)
            #expect(reply.text == expected)
            #expect(reply.headers[.contentType] == "application/json")
            let results = try #require(reply.json["results"] as? [[String: Any]])
            #expect(results[2]["statuses"] as? [String] == ["PRESENT", "NULL_VALUE", "NOT_FOUND", "OUTSIDE_MAX_AGE"])
        }
    }

    @Test(arguments: Self.paths) func aFloatFeatureKeepsItsFractionAndUnknownMembersAreIgnored(_ path: ServerPath) async throws {
        let fixture = try ServerFixture()
        try await fixture.server.application().testOnServerThreads(path.setup) { client in
            let body = Self.featuresBody(
                ["user_stats:spend", "user_stats:clicks"], users: [1],
                extra: #","include_feature_view_version_metadata":false,"something_new":{"nested":[1,2]}"#)
            let reply = try await client.post("/get-online-features", body)
            #expect(reply.status == 200)
            // spend is float64 2.0: written 2.0 so that Feast's SDK reads a double; clicks is int64 7.
            #expect(reply.text.contains(#"{"values":[2.0],"statuses":["PRESENT"]"#))
            #expect(reply.text.contains(#"{"values":[7],"statuses":["PRESENT"]"#))
        }
    }

    @Test(arguments: Self.paths) func aFeatureServiceWithFullNamesAndTwoJoinKeys(_ path: ServerPath) async throws {
        let fixture = try ServerFixture()
        try await fixture.server.application().testOnServerThreads(path.setup) { client in
            let body = #"{"feature_service":"scoring","full_feature_names":true,"entities":{"store_code":["s1"],"user_id":[1]},"at":"\#(ServerFixture.atText)"}"#
            let reply = try await client.post("/get-online-features", body)
            #expect(reply.status == 200)
            let names = (reply.json["metadata"] as? [String: Any])?["feature_names"] as? [String]
            #expect(names == ["user_id", "store_code", "user_stats__clicks", "user_stats__spend", "store_stats__rating", "user_stats__segment"])
        }
    }

    @Test(arguments: Self.paths) func atDecidesTheAnswer(_ path: ServerPath) async throws {
        let fixture = try ServerFixture()
        try await fixture.server.application().testOnServerThreads(path.setup) { client in
            // User 4's row is from day 2: within the 1-day ttl on day 2, too old on day 9.
            let early = #"{"features":["user_stats:clicks"],"entities":{"user_id":[4]},"at":"\#(UTCTimestamp.format(ServerFixture.t0 + 2 * ServerFixture.day + 60_000_000))"}"#
            let late = #"{"features":["user_stats:clicks"],"entities":{"user_id":[4]},"at":"\#(ServerFixture.atText)"}"#
            let earlyReply = try await client.post("/get-online-features", early)
            let lateReply = try await client.post("/get-online-features", late)
            #expect(earlyReply.text.contains(#"{"values":[9],"statuses":["PRESENT"]"#))
            #expect(lateReply.text.contains(#"{"values":[null],"statuses":["OUTSIDE_MAX_AGE"]"#))
        }
    }

    /// A bad request, the status and code it gets, and text its detail must contain (the field and value).
    static let badRequests: [(body: String, status: Int, code: String, detail: String)] = [
        (#"{"features":["user_stats:clicks"],"entities":{"user_id":[1]}"#, 400, "malformed_json", "byte"),
        ("[1,2]", 400, "bad_request", "expected a JSON object"),
        (#"{"entities":{"user_id":[1]}}"#, 400, "bad_request", "names no features"),
        (#"{"features":["user_stats:clicks"],"feature_service":"scoring","entities":{"user_id":[1]}}"#, 400, "bad_request", "not both"),
        (#"{"features":["user_stats:nope"],"entities":{"user_id":[1]}}"#, 404, "unknown_feature", "nope"),
        (#"{"features":["ghost:clicks"],"entities":{"user_id":[1]}}"#, 404, "unknown_feature", "ghost"),
        (#"{"feature_service":"ghost","entities":{"user_id":[1]}}"#, 404, "unknown_feature", "ghost"),
        (#"{"features":["no colon"],"entities":{"user_id":[1]}}"#, 400, "bad_request", "features[0] is \"no colon\""),
        (#"{"features":"user_stats:clicks","entities":{"user_id":[1]}}"#, 400, "bad_request", "features is"),
        (#"{"features":["user_stats:clicks"]}"#, 400, "bad_entity", "no \"entities\""),
        (#"{"features":["user_stats:clicks"],"entities":{"customer":[1]}}"#, 400, "bad_entity", "entities.customer is not a join key"),
        (#"{"features":["user_stats:clicks"],"entities":{"user_id":["1"]}}"#, 400, "bad_entity", "entities.user_id[0] is \"1\""),
        (#"{"features":["user_stats:clicks"],"entities":{"user_id":[1.5]}}"#, 400, "bad_entity", "entities.user_id[0] is 1.5"),
        (#"{"features":["user_stats:clicks"],"entities":{"user_id":[99999999999999999999]}}"#, 400, "bad_entity", "99999999999999999999"),
        (#"{"features":["user_stats:clicks"],"entities":{"user_id":[]}}"#, 400, "bad_entity", "entities.user_id is empty"),
        (#"{"features":["user_stats:clicks"],"entities":{"user_id":5}}"#, 400, "bad_entity", "entities.user_id is 5"),
        (#"{"feature_service":"scoring","entities":{"user_id":[1,2],"store_code":["s1"]}}"#, 400, "bad_entity", "entities.store_code has 1 values"),
        (#"{"feature_service":"scoring","entities":{"user_id":[1]}}"#, 400, "bad_entity", "no join key store_code"),
        (#"{"features":["user_stats:clicks"],"entities":{"user_id":[1,2,3,4,5,6]}}"#, 413, "too_many_entities", "at most 5 entities"),
        (#"{"features":["user_stats:clicks"],"entities":{"user_id":[1]},"at":"yesterday"}"#, 400, "bad_request", "at is \"yesterday\""),
        (#"{"features":["user_stats:clicks"],"entities":{"user_id":[1]},"full_feature_names":"yes"}"#, 400, "bad_request", "full_feature_names is \"yes\""),
        (#"{"features":["user_stats:clicks"],"entities":{"user_id":[1]},"padding":"\#(String(repeating: "x", count: 3000))"}"#, 413, "body_too_large", "at most 2048 bytes"),
    ]

    @Test(arguments: Self.paths) func aBadRequestGetsA4xxNamingTheFieldAndValue(_ path: ServerPath) async throws {
        let fixture = try ServerFixture {
            $0.maxEntities = 5
            $0.maxBody = 2048
        }
        try await fixture.server.application().testOnServerThreads(path.setup) { client in
            for case_ in Self.badRequests {
                let reply = try await client.post("/get-online-features", case_.body)
                #expect(reply.status == case_.status, "\(case_.body): \(reply.text)")
                #expect(reply.json["error"] as? String == case_.code, "\(case_.body): \(reply.text)")
                #expect((reply.json["detail"] as? String)?.contains(case_.detail) == true, "\(case_.body): \(reply.text)")
            }
        }
    }

    @Test(arguments: Self.paths) func theBearerTokenGuardsEveryRouteButHealth(_ path: ServerPath) async throws {
        let fixture = try ServerFixture { $0.token = "s3cret-token" }
        try await fixture.server.application().testOnServerThreads(path.setup) { client in
            let body = Self.featuresBody(["user_stats:clicks"], users: [1])
            let missing = try await client.post("/get-online-features", body)
            #expect(missing.status == 401)
            #expect(missing.json["error"] as? String == "unauthorized")
            #expect(missing.headers[.wwwAuthenticate] == "Bearer")
            let wrong = try await client.post("/get-online-features", body, headers: [.authorization: "Bearer s3cret-tokeN"])
            #expect(wrong.status == 401)
            let prefix = try await client.post("/get-online-features", body, headers: [.authorization: "Bearer s3cret"])
            #expect(prefix.status == 401)
            let right = try await client.post("/get-online-features", body, headers: [.authorization: "Bearer s3cret-token"])
            #expect(right.status == 200)
            #expect(try await client.get("/metrics").status == 401)
            #expect(try await client.get("/health").status == 200)
        }
    }

    @Test func pushWritesOnlineWithNewerWinsAndOfflineWhenAsked() async throws {
        let fixture = try ServerFixture()
        let newer = UTCTimestamp.format(ServerFixture.t0 + 9 * ServerFixture.day + 60_000_000)
        let older = UTCTimestamp.format(ServerFixture.t0 + 3 * ServerFixture.day)
        @Sendable func push(_ ts: String, clicks: Int, to: String) -> String {
            #"{"push_source_name":"user_stats","to":"\#(to)","df":{"user_id":[1],"ts":["\#(ts)"],"clicks":[\#(clicks)],"spend":[1.25],"ratio":[0.5],"rank":[2],"vip":[false],"segment":["new"],"last_seen":[null]}}"#
        }
        try await fixture.server.application().testOnServerThreads(.router) { client in
            let first = try await client.post("/push", push(newer, clicks: 70, to: "online"))
            #expect(first.status == 200, "\(first.text)")
            #expect(first.json["written_online"] as? Int == 1)
            let stale = try await client.post("/push", push(older, clicks: 5, to: "online_and_offline"))
            #expect(stale.status == 200, "\(stale.text)")
            #expect(stale.json["written_online"] as? Int == 0)
            let lookup = try await client.post("/get-online-features", Self.featuresBody(["user_stats:clicks", "user_stats:last_seen"], users: [1]))
            #expect(lookup.text.contains(#"{"values":[70],"statuses":["PRESENT"]"#))
            #expect(lookup.text.contains(#"{"values":[null],"statuses":["NULL_VALUE"]"#))
            let bad = try await client.post("/push", push(newer, clicks: 1, to: "online").replacingOccurrences(of: #""rank":[2]"#, with: #""rank":["two"]"#))
            #expect(bad.status == 400)
            #expect((bad.json["detail"] as? String)?.contains("rank: 'two' is not a int32") == true, "\(bad.text)")
            let unknown = try await client.post("/push", #"{"push_source_name":"ghost","df":{"user_id":[1]}}"#)
            #expect(unknown.status == 404)
        }
        // Only the push that asked for it reached the source table.
        let rows = try fixture.online.db.execute("SELECT clicks FROM user_events WHERE user_id = 1 ORDER BY clicks")
        #expect((0..<rows.rowCount).map { rows.int($0, 0) } == [5, 7])
    }

    /// `/push` takes the view's push lock as `strata push` does (`OnlinePush`): a push that arrives while an apply
    /// that resets the view holds the lock waits for it, then finds the view changed since its rows were checked
    /// and writes nothing, online or offline (400).
    @Test(arguments: ["online_and_offline", "offline"])
    func aPushDuringAnApplyThatResetsItsViewWaitsThenWritesNothing(to: String) async throws {
        let fixture = try ServerFixture()
        let online = fixture.online
        let before = try online.dump()
        // The fixture's registry session plays the apply: it holds user_stats's push lock, as an apply resetting
        // it does, and commits the change (taking the lock it already holds once more) while the push waits.
        try online.registry.lockPushes(project: OnlineFixture.project, views: ["user_stats"], waiting: { _ in })
        let ts = UTCTimestamp.format(ServerFixture.t0 + 9 * ServerFixture.day + 60_000_000)
        let body = #"{"push_source_name":"user_stats","to":"\#(to)","df":{"user_id":[77],"ts":["\#(ts)"],"clicks":[5],"spend":[1.5],"ratio":[0.5],"rank":[2],"vip":[false],"segment":["new"],"last_seen":[null]}}"#
        let apply = ApplyInFlight(online)
        // The apply waits for the push on a thread of its own: the test's tasks must not block the shared pool.
        Thread { apply.commitOnceAPushWaits() }.start()
        try await fixture.server.application().testOnServerThreads(.router) { client in
            let reply = try await client.post("/push", body)
            #expect(reply.status == 400, "\(reply.text)")
            #expect(
                (reply.json["detail"] as? String)?.contains(
                    "feature view user_stats of project shop was changed by an apply after this push's rows were checked against it, so nothing was written") == true,
                "\(reply.text)")
        }
        try apply.result()
        #expect(try online.db.execute("SELECT count(*) FROM user_events WHERE user_id = 77").int(0, 0) == 0)
        #expect(try online.dump() == before)
    }

    @Test func writeToOnlineStoreTakesFeastSDKsBody() async throws {
        let fixture = try ServerFixture()
        // What Feast's RemoteOnlineStore.online_write_batch sends: naive UTC ISO times and a `created` column.
        let ts = "2026-01-10T01:00:00"
        let body = #"{"feature_view_name":"user_stats","allow_registry_cache":false,"df":{"user_id":[1,3],"clicks":[11,33],"spend":[0.5,null],"ratio":[0.25,0.75],"rank":[1,3],"vip":[true,false],"segment":["a","b"],"last_seen":[null,null],"event_timestamp":["\#(ts)","\#(ts)"],"created":[null,"\#(ts)"]}}"#
        try await fixture.server.application().testOnServerThreads(.router) { client in
            let reply = try await client.post("/write-to-online-store", body)
            #expect(reply.status == 200, "\(reply.text)")
            #expect(reply.json["written_online"] as? Int == 2)
            let lookup = try await client.post("/get-online-features", Self.featuresBody(["user_stats:clicks", "user_stats:spend"], users: [1, 3]))
            #expect(lookup.text.contains(#"{"values":[11,33],"statuses":["PRESENT","PRESENT"]"#), "\(lookup.text)")
            #expect(lookup.text.contains(#"{"values":[0.5,null],"statuses":["PRESENT","NULL_VALUE"]"#), "\(lookup.text)")
        }
    }

    @Test(arguments: Self.paths) func predictScoresTheOnlineFeaturesWithTheRegisteredModel(_ path: ServerPath) async throws {
        let fixture = try ServerFixture()
        let (version, model) = try fixture.registerModel("ranker", seed: 3)
        try ModelStore(registry: fixture.online.registry).promote(name: "ranker", version: version, stage: "production")
        // The listener is not running in router mode: a new server reads the promotion at start.
        let server = try FeatureServer(configuration: fixture.server.configuration, logger: ServerFixture.logger)
        defer { server.stopWorkers() }
        try await server.application().testOnServerThreads(path.setup) { client in
            let body = #"{"model":"ranker","include_features":true,"entities":{"user_id":[1,2,3]},"at":"\#(ServerFixture.atText)"}"#
            let reply = try await client.post("/predict", body)
            #expect(reply.status == 200, "\(reply.text)")
            #expect(reply.json["model"] as? String == "ranker")
            #expect(reply.json["version"] as? Int == version)
            let predictions = try #require(reply.json["predictions"] as? [Double])
            // User 1 has every value; user 2 only nulls and user 3 nothing: both scored with missing values.
            let expected = [
                model.predict(row: [7, 2.0, 3]), model.predict(row: [.nan, .nan, .nan]), model.predict(row: [.nan, .nan, .nan]),
            ]
            #expect(predictions.count == 3)
            for (got, want) in zip(predictions, expected) { #expect(abs(got - want) <= 1e-12) }
            let features = try #require(reply.json["features"] as? [String: Any])
            #expect((features["metadata"] as? [String: Any])?["feature_names"] as? [String] == ["user_id", "clicks", "spend", "rank"])

            let byVersion = try await client.post("/predict", #"{"model":"ranker","version":\#(version),"entities":{"user_id":[1]},"at":"\#(ServerFixture.atText)"}"#)
            #expect(byVersion.status == 200)
            let unknown = try await client.post("/predict", #"{"model":"ghost","entities":{"user_id":[1]}}"#)
            #expect(unknown.status == 404)
            #expect(unknown.json["error"] as? String == "unknown_model")
            let missingVersion = try await client.post("/predict", #"{"model":"ranker","version":99,"entities":{"user_id":[1]}}"#)
            #expect(missingVersion.status == 404)
            let noStaging = try await client.post("/predict", #"{"model":"ranker","stage":"staging","entities":{"user_id":[1]}}"#)
            #expect(noStaging.status == 404)
            #expect((noStaging.json["detail"] as? String)?.contains("stage staging") == true)
        }
    }

    @Test func healthAndMetrics() async throws {
        let fixture = try ServerFixture()
        try await fixture.server.application().testOnServerThreads(.router) { client in
            let health = try await client.get("/health")
            #expect(health.status == 200)
            #expect((health.json["redis"] as? [String: Any])?["reachable"] as? Bool == true)
            #expect((health.json["registry"] as? [String: Any])?["project"] as? String == "shop")
            _ = try await client.post("/get-online-features", Self.featuresBody(["user_stats:clicks"], users: [1]))
            _ = try await client.post("/get-online-features", "{")
            _ = try await client.get("/no/such/route")
            let metrics = try await client.get("/metrics")
            #expect(metrics.status == 200)
            #expect(metrics.headers[.contentType]?.hasPrefix("text/plain") == true)
            #expect(metrics.text.contains(#"strata_http_requests_total{route="/get-online-features",status="200"} 1"#))
            #expect(metrics.text.contains(#"strata_http_requests_total{route="/get-online-features",status="400"} 1"#))
            #expect(metrics.text.contains(#"strata_http_requests_total{route="other",status="404"} 1"#))
            #expect(metrics.text.contains("strata_http_request_duration_seconds_bucket"))
            #expect(metrics.text.contains("strata_redis_lookups_per_write"))
        }
    }
}

/// Which code answers a test's lookups: Hummingbird's router (in process, no sockets), or a live server
/// whose connections answer them on their event loop.
enum ServerPath: String, Sendable, CustomTestStringConvertible {
    case router
    case eventLoop

    var setup: TestingSetup {
        switch self {
        case .router: .router
        case .eventLoop: .live
        }
    }

    var testDescription: String { rawValue }
}

/// The apply of `aPushDuringAnApplyThatResetsItsViewWaitsThenWritesNothing`, on the fixture's registry session,
/// which holds user_stats's push lock.
private final class ApplyInFlight: @unchecked Sendable {
    let online: OnlineFixture
    private let condition = NSCondition()
    private var outcome: Result<Void, Error>?

    init(_ online: OnlineFixture) { self.online = online }

    /// Once a push waits for the lock: adds a feature to user_stats (a reset), commits, releases the lock.
    func commitOnceAPushWaits() {
        let result = Result {
            defer { online.registry.unlockPushes(project: OnlineFixture.project, views: ["user_stats"]) }
            // Generous: in a whole-suite run the in-process request may wait long for a thread of the shared pool.
            try Waiting.untilSessionsWaitForLocks(1, on: online.db, seconds: 600)
            try online.db.execute("ALTER TABLE user_events ADD COLUMN bonus bigint")
            try online.apply(
                OnlineFixture.schema().replacingOccurrences(
                    of: "      - { name: last_seen, type: timestamp }\n",
                    with: "      - { name: last_seen, type: timestamp }\n      - { name: bonus, type: int64 }\n"))
            guard try online.registry.repository(project: OnlineFixture.project).featureView(named: "user_stats")?.features.count == 8 else {
                throw TestServices.Failure(description: "the apply did not add the feature")
            }
        }
        condition.withLock {
            outcome = result
            condition.broadcast()
        }
    }

    /// What the apply ended with, once it ended.
    func result() throws {
        condition.lock()
        defer { condition.unlock() }
        while outcome == nil { condition.wait() }
        try outcome?.get()
    }
}

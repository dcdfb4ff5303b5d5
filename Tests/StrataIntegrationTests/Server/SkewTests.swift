import Foundation
import HummingbirdTesting
import StrataColumnar
import StrataCore
import StrataMonitoring
import StrataOffline
import StrataPostgres
import StrataServer
import StrataTestSupport
import Testing

/// Training/serving skew and drift on served data, against a real server logging every request
/// (`--log-sample 1`) into a real PostgreSQL, over a real Redis.
@Suite("strata skew and served: drift input, with a live server", .enabled(if: TestServices.enabled))
struct SkewTests {
    static let at1 = ServerFixture.atText
    static let at2 = UTCTimestamp.format(ServerFixture.t0 + 9 * ServerFixture.day + 20 * 3_600_000_000)
    static let userFeatures = ["clicks", "spend", "ratio", "rank", "vip", "segment", "last_seen"].map { "user_stats:\($0)" }
    static let allFeatures = userFeatures + ["store_stats:rating"]

    /// Serves requests through the in-process server with every request logged, returns the window
    /// of serving times that holds them. Users: 1 fresh, 2 nulls, 3 absent, 4 older than the ttl
    /// (ServerFixture); `extraUsers` are asked for too, in the `at2` request of B.
    ///
    /// A: the `scoring` service for users 1–4 (stores s1, s1, s2, s1), three times (at1, at2, at1).
    /// B: ratio, rank, vip, last_seen for users 1, 2, 4 (+ extra), twice at at2.
    /// C: `/predict` (clicks, spend, rank) for users 1–4, twice at at1.
    /// D: `scoring` for user 3 and store s1 without `at` (as of the serving time).
    static func serve(_ fixture: ServerFixture, extraUsers: [Int64] = []) async throws -> (from: Int64, to: Int64) {
        let (version, _) = try fixture.registerModel("ranker", seed: 5)
        let from = Self.now() - 60_000_000
        let bUsers = ([1, 2, 4] + extraUsers).map(String.init).joined(separator: ",")
        try await fixture.server.application().testOnServerThreads(.live) { client in
            var index = 0
            func post(_ path: String, _ body: String) async throws {
                index += 1
                let reply = try await client.post(path, body, headers: [.init("x-request-id")!: "req-\(index)"])
                #expect(reply.status == 200, "\(reply.text)")
            }
            for at in [at1, at2, at1] {
                try await post(
                    "/get-online-features",
                    #"{"feature_service":"scoring","entities":{"user_id":[1,2,3,4],"store_code":["s1","s1","s2","s1"]},"at":"\#(at)"}"#)
            }
            for _ in 0..<2 {
                try await post(
                    "/get-online-features",
                    #"{"features":["user_stats:ratio","user_stats:rank","user_stats:vip","user_stats:last_seen"],"entities":{"user_id":[\#(bUsers)]},"at":"\#(at2)"}"#)
                try await post("/predict", #"{"model":"ranker","version":\#(version),"entities":{"user_id":[1,2,3,4]},"at":"\#(at1)"}"#)
            }
            try await post("/get-online-features", #"{"feature_service":"scoring","entities":{"user_id":[3],"store_code":["s1"]}}"#)
        }
        // The application has shut down and flushed the log.
        return (from, Self.now() + 60_000_000)
    }

    static func now() -> Int64 { Int64(Date().timeIntervalSince1970 * 1_000_000) }

    static func request(_ window: (from: Int64, to: Int64), features: [String] = allFeatures, maxShare: Double = 0) -> SkewRequest {
        SkewRequest(
            features: .references(features.compactMap(FeatureReference.init(parsing:))), from: window.from, to: window.to,
            examples: 3, maxShare: maxShare)
    }

    static func byName(_ report: SkewReport) -> [String: FeatureSkew] {
        Dictionary(uniqueKeysWithValues: report.features.map { ($0.name, $0) })
    }

    @Test func servedValuesEqualOfflineUntilASourceRowChangesThenExactlyThatIsFound() async throws {
        let fixture = try ServerFixture { $0.logSample = 1 }
        let window = try await Self.serve(fixture)
        let monitor = SkewMonitor(registry: fixture.online.registry)

        let clean = try monitor.run(Self.request(window))
        #expect(clean.served.rows == 27)
        #expect(!clean.skewFound && clean.skewedFeatures == 0)
        let rows = Self.byName(clean)
        #expect(rows.mapValues(\.rows) == [
            "user_stats:clicks": 21, "user_stats:spend": 21, "user_stats:rank": 14, "user_stats:segment": 13,
            "store_stats:rating": 13, "user_stats:ratio": 6, "user_stats:vip": 6, "user_stats:last_seen": 6,
        ])
        for feature in clean.features {
            #expect(feature.equal == feature.rows && feature.disagreeing == 0 && feature.examples.isEmpty, "\(feature.name)")
        }
        // Every status met agreement: NULL_VALUE (user 2), NOT_FOUND (user 3, store s2) and
        // OUTSIDE_MAX_AGE (user 4, null offline because of the ttl).
        let clicks = try #require(rows["user_stats:clicks"])
        #expect(clicks.statuses == ["PRESENT": 5, "NULL_VALUE": 5, "NOT_FOUND": 6, "OUTSIDE_MAX_AGE": 5])
        #expect(rows["store_stats:rating"]?.statuses["NOT_FOUND"] == 3)

        // User 1's spend, served as 2.0, is now 2.5 in the source at every instant it was served.
        try fixture.online.db.executeScript("UPDATE user_events SET spend = 2.5 WHERE user_id = 1")
        let skewed = try monitor.run(Self.request(window))
        #expect(skewed.skewFound && skewed.skewedFeatures == 1)
        let after = Self.byName(skewed)
        let spend = try #require(after["user_stats:spend"])
        #expect(spend.differ == 5 && spend.missingServed == 0 && spend.missingOffline == 0 && spend.equal == 16)
        #expect(spend.share(spend.differ) == 5.0 / 21.0 && spend.skewed)
        #expect(spend.examples.count == 3)
        for example in spend.examples {
            #expect(example.kind == .differ && example.served == .float64(2.0) && example.offline == .float64(2.5))
            #expect(example.entities == ["user_id": .integer(1)] && example.servedStatus == "PRESENT")
        }
        // Examples come earliest as_of first.
        #expect(spend.examples.map(\.asOf) == spend.examples.map(\.asOf).sorted())
        for feature in skewed.features where feature.name != "user_stats:spend" {
            #expect(feature.disagreeing == 0 && !feature.skewed, "\(feature.name)")
        }
        // A share above the disagreeing one allows it.
        #expect(!(try monitor.run(Self.request(window, maxShare: 0.25))).skewFound)
        #expect(try monitor.run(Self.request(window, maxShare: 0.2)).skewFound)
    }

    @Test func valuesMissingOnEitherSideAreCountedApart() async throws {
        let fixture = try ServerFixture { $0.logSample = 1 }
        // User 5's row arrives after materialisation: served NOT_FOUND, found offline.
        try fixture.online.insert([.init(user: 5, ts: ServerFixture.t0 + 9 * ServerFixture.day, created: ServerFixture.t0)])
        let window = try await Self.serve(fixture, extraUsers: [5])
        // User 1's rows are deleted after they were served: served PRESENT, found nowhere offline.
        try fixture.online.db.executeScript("DELETE FROM user_events WHERE user_id = 1")
        let report = try SkewMonitor(registry: fixture.online.registry).run(Self.request(window))
        let byName = Self.byName(report)
        for name in ["user_stats:ratio", "user_stats:rank", "user_stats:vip", "user_stats:last_seen"] {
            let feature = try #require(byName[name])
            // B twice: user 1 served PRESENT → missing offline; user 5 NOT_FOUND → missing served.
            #expect(feature.missingOffline >= 2 && feature.missingServed == 2 && feature.differ == 0, "\(name)")
        }
        let ratio = try #require(byName["user_stats:ratio"])
        #expect(ratio.rows == 8 && ratio.missingOffline == 2 && ratio.equal == 4)
        let kinds = Set(ratio.examples.map(\.kind))
        #expect(kinds == [.missingServed, .missingOffline])
        let missingServed = try #require(ratio.examples.first { $0.kind == .missingServed })
        #expect(missingServed.servedStatus == "NOT_FOUND" && missingServed.served == .null && missingServed.offline == .float32(0.25))
        #expect(missingServed.entities == ["user_id": .integer(5)])
        let spend = try #require(byName["user_stats:spend"])
        #expect(spend.missingOffline == 5 && spend.missingServed == 0)
        #expect(byName["store_stats:rating"]?.disagreeing == 0)

        // The CLI: a finding (1) with JSON in snake_case, no finding under a large enough share, bad input (2).
        let env = ["STRATA_POSTGRES_URL": fixture.online.postgresURL, "STRATA_REDIS_URL": "redis://127.0.0.1:1/0"]
        let served = "\(UTCTimestamp.format(window.from))..\(UTCTimestamp.format(window.to))"
        let features = Self.allFeatures.joined(separator: ",")
        let found = try StrataCLI.run(["skew", "--features", features, "--served", served, "--json", "--examples", "1"], environment: env)
        #expect(found.status == 1, "\(found.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(found.stdout.utf8)) as? [String: Any])
        #expect(json["skew_found"] as? Bool == true)
        let columns = try #require(json["features"] as? [[String: Any]])
        let ratioJSON = try #require(columns.first { $0["name"] as? String == "user_stats:ratio" })
        #expect(ratioJSON["missing_served"] as? Int == 2 && ratioJSON["missing_offline"] as? Int == 2)
        #expect(ratioJSON["skew_share"] as? Double == 0.5)
        let example = try #require((ratioJSON["examples"] as? [[String: Any]])?.first)
        #expect(example["request_id"] is String && example["served_status"] is String && example["as_of"] is String)

        let table = try StrataCLI.run(["skew", "--features", "user_stats:ratio", "--served", "served:" + served], environment: env)
        #expect(table.status == 1, "\(table.stderr)")
        #expect(table.stdout.contains("missing served: user_id=5") && table.stdout.contains("offline 0.25"), "\(table.stdout)")
        #expect(table.stdout.contains("skew found in 1 of 1 features"))

        let clean = try StrataCLI.run(["skew", "--features", "store_stats:rating", "--served", served], environment: env)
        #expect(clean.status == 0, "\(clean.stderr)")
        #expect(clean.stdout.contains("no skew: every served value equals the offline point-in-time value"))
        let allowed = try StrataCLI.run(
            ["skew", "--features", "user_stats:ratio", "--served", served, "--max-share", "0.5"], environment: env)
        #expect(allowed.status == 0, "\(allowed.stderr)")
        #expect(allowed.stdout.contains("no skew above --max-share 50.00%"))

        for (arguments, fragment) in [
            (["--service", "scoring", "--served", "2026-01-02..2026-01-01"], "the window is empty"),
            (["--service", "scoring", "--served", "yesterday"], "expected FROM..TO with ISO-8601 times"),
            (["--service", "nope", "--served", served], "unknown feature service 'nope'"),
            (["--served", served], "name the features to compare with --service or --features"),
        ] {
            let outcome = try StrataCLI.run(["skew"] + arguments, environment: env)
            #expect(outcome.status == 2, "\(arguments): \(outcome.stderr)")
            #expect(outcome.stderr.contains(fragment), "\(arguments): \(outcome.stderr)")
        }
    }

    @Test func servedDataIsADriftInputTypedAsDeclared() async throws {
        let fixture = try ServerFixture { $0.logSample = 1 }
        let window = try await Self.serve(fixture)
        let monitor = DriftMonitor(registry: fixture.online.registry, openConnection: { try PostgresConnection(url: fixture.online.postgresURL) })
        let report = try monitor.run(
            DriftRequest(
                features: .references(["user_stats:spend", "user_stats:segment", "store_stats:rating"].compactMap(FeatureReference.init(parsing:))),
                reference: .window(from: ServerFixture.t0, to: ServerFixture.t0 + 10 * ServerFixture.day),
                current: .served(from: window.from, to: window.to))
        ).report
        #expect(report.current.source == "served:\(UTCTimestamp.format(window.from))..\(UTCTimestamp.format(window.to))")
        let columns = Dictionary(uniqueKeysWithValues: report.columns.map { ($0.name, $0) })
        // Per feature, the rows whose request asked for it; null unless PRESENT.
        let spend = try #require(columns["user_stats:spend"])
        #expect(spend.current.rows == 21 && spend.current.count == 5 && spend.current.mean == 2.0)
        #expect(spend.type == .numerical)
        let segment = try #require(columns["user_stats:segment"])
        #expect(segment.current.rows == 13 && segment.current.count == 3 && segment.type == .categorical)
        #expect(segment.current.top?.first?.value.description == "gold \"1\"")
        let rating = try #require(columns["store_stats:rating"])
        #expect(rating.current.rows == 13 && rating.current.count == 10 && rating.current.min == 4.5)

        // The same through the CLI: JSON with the served window as the current source.
        let outcome = try StrataCLI.run(
            ["drift", "--features", "user_stats:spend,store_stats:rating", "--reference", "window:2026-01-01..2026-01-11",
             "--current", "served:\(UTCTimestamp.format(window.from))..\(UTCTimestamp.format(window.to))", "--json"],
            environment: ["STRATA_POSTGRES_URL": fixture.online.postgresURL, "STRATA_REDIS_URL": "redis://127.0.0.1:1/0"])
        #expect(outcome.status == 0 || outcome.status == 1, "\(outcome.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any])
        let current = try #require((json["columns"] as? [[String: Any]])?.first?["current"] as? [String: Any])
        #expect(current["rows"] as? Int == 21 && current["count"] as? Int == 5)
    }
}

import Foundation
import StrataColumnar
import StrataCore
import StrataEmbedded
import StrataOnline
import StrataPostgres
import StrataRedis
import StrataTestSupport
import Testing

/// Input that once trapped the process, driven through the `strata` binary: each must now end with
/// a clear message (exit 2) or a correct answer.
@Suite("Extreme input through the CLI", .enabled(if: TestServices.enabled))
struct ExtremeInputTests {
    static func environment(_ fixture: OnlineFixture) -> [String: String] {
        ["STRATA_POSTGRES_URL": fixture.postgresURL, "STRATA_REDIS_URL": fixture.redisURL.absoluteString]
    }

    /// A ttl and an online expiry far past 100 years, as a registry written before durations were
    /// bounded may hold them: the joins and lookups saturate instead of overflowing.
    @Test func hugeRegisteredDurationsJoinAndLookUp() throws {
        let fixture = try OnlineFixture()
        var repository = fixture.repository
        let index = try #require(repository.featureViews.firstIndex { $0.name == "user_stats" })
        repository.featureViews[index].ttlSeconds = 200_000_000 * 86_400
        repository.featureViews[index].onlineExpirySeconds = 9_999_999_999 * 86_400
        try fixture.registry.apply(repository)
        let t = OnlineFixture.origin
        try fixture.insert([OnlineFixture.UserRow(user: 1, ts: t - 300 * 365 * OnlineFixture.microsPerDay, created: t, clicks: 7)])
        let cli = Self.environment(fixture)
        let output = fixture.folder.appendingPathComponent("set.csv").path
        for strategy in ["extraction", "sort-merge", "lateral"] {
            let built = try StrataCLI.run(
                ["training-set", "--features", "user_stats:clicks", "--strategy", strategy, "--spine",
                 "SELECT 1::bigint AS user_id, '2026-01-02'::timestamptz AS event_timestamp", "--output", output],
                environment: cli)
            #expect(built.status == 0, "\(strategy): \(built.stderr)")
            #expect(try String(contentsOfFile: output, encoding: .utf8).hasSuffix(",7\n"), "\(strategy)")
        }
        #expect(try StrataCLI.run(["materialize-incremental", "--end", "2026-01-02T00:00:00Z"], environment: cli).status == 0)
        let online = try StrataCLI.run(
            ["online", "--features", "user_stats:clicks", "--entity", "user_id=1", "--at", "2026-01-02T00:00:00Z"], environment: cli)
        #expect(online.status == 0, "\(online.stderr)")
        #expect(online.stdout.contains(#"{"values":[7],"statuses":["PRESENT"]"#), "\(online.stdout)")
    }

    @Test(arguments: ["-infinity", "infinity"])
    func anInfiniteSpineTimeIsRefused(time: String) throws {
        let fixture = try OnlineFixture()
        let outcome = try StrataCLI.run(
            ["training-set", "--features", "user_stats:clicks", "--spine",
             "SELECT 1::bigint AS user_id, '\(time)'::timestamptz AS event_timestamp",
             "--output", fixture.folder.appendingPathComponent("set.csv").path],
            environment: Self.environment(fixture))
        #expect(outcome.status == 2, "\(outcome.stderr)")
        #expect(outcome.stderr.contains("row 1 of the spine query has event_timestamp \(time); expected a finite time"), "\(outcome.stderr)")
    }

    /// A record whose string length is garbled to Int.max once overflowed `start + length`.
    @Test func aGarbledRecordInRedisIsReportedAsCorrupt() throws {
        let fixture = try OnlineFixture()
        let view = try OnlineView(named: "user_stats", in: fixture.repository)
        var record: [UInt8] = [OnlineLayout.formatVersion]
        withUnsafeBytes(of: OnlineFixture.origin.littleEndian) { record += $0 }
        withUnsafeBytes(of: OnlineRecord.noCreated.littleEndian) { record += $0 }
        withUnsafeBytes(of: OnlineLayout.schemaTag(of: view.view.features, entities: view.entities).littleEndian) { record += $0 }
        record.append(0b0101_1111)  // every feature null but `segment`, the sixth
        record += [UInt8](repeating: 0xFF, count: 8) + [0x7F, 0x61]
        var field: [UInt8] = []
        withUnsafeBytes(of: UInt64(1).littleEndian) { field += $0 }
        var key: [UInt8] = []
        field.withUnsafeBytes { bytes in
            OnlineLayout.appendKey(
                prefix: OnlineLayout.keyPrefix(project: OnlineFixture.project, view: "user_stats"),
                bucket: OnlineLayout.bucket(of: bytes), to: &key)
        }
        _ = try fixture.redis.command([Array("HSET".utf8), key, field, record])
        let outcome = try StrataCLI.run(
            ["online", "--features", "user_stats:segment", "--entity", "user_id=1", "--at", UTCTimestamp.format(OnlineFixture.origin)],
            environment: Self.environment(fixture))
        #expect(outcome.status == 2, "\(outcome.stderr)")
        #expect(outcome.stderr.contains("a record of feature view user_stats in Redis is truncated or malformed"), "\(outcome.stderr)")
    }

    /// Two views whose entities share a join-key name with different types, asked for together.
    @Test func viewsDisagreeingOnAJoinKeyTypeCannotBeRequestedTogether() throws {
        let fixture = try OnlineFixture()
        try fixture.db.execute("CREATE TABLE user_notes (user_id text, ts timestamptz, score double precision)")
        let notes = """
              - name: notes
                entities: [user_text]
                source: user_notes
                ttl: 0
                features:
                  - { name: score, type: float64 }
            feature_services:
            """
        try fixture.apply(
            OnlineFixture.schema()
                .replacingOccurrences(of: "sources:\n", with: "  - { name: user_text, join_key: user_id, type: string }\nsources:\n")
                .replacingOccurrences(of: "feature_views:\n", with: "  - { name: user_notes, table: user_notes, timestamp: ts }\nfeature_views:\n")
                .replacingOccurrences(of: "feature_services:", with: notes))
        let message = "feature views user_stats and notes cannot be requested together: join key user_id is int64 for entity user of user_stats but string for entity user_text of notes; expected one type per join key"
        let cli = Self.environment(fixture)
        let built = try StrataCLI.run(
            ["training-set", "--features", "user_stats:clicks,notes:score", "--spine",
             "SELECT 1::bigint AS user_id, now() AS event_timestamp", "--output", fixture.folder.appendingPathComponent("set.csv").path],
            environment: cli)
        #expect(built.status == 2, "\(built.stderr)")
        #expect(built.stderr.contains(message), "\(built.stderr)")
        let online = try StrataCLI.run(
            ["online", "--features", "user_stats:clicks,notes:score", "--entity", "user_id=1"], environment: cli)
        #expect(online.status == 2, "\(online.stderr)")
        #expect(online.stderr.contains(message), "\(online.stderr)")
    }

    @Test func predictRefusesASpineThatHasThePredictionColumnAndTakesAnotherName() throws {
        let fixture = try ModelRegistryTests.learnableFixture()
        let trained = try StrataCLI.run(
            ["train", "--name", "p", "--features", "user_stats:clicks", "--spine", "learn", "--label", "label",
             "--param", "num_iterations=3"], environment: fixture.cli)
        #expect(trained.status == 0, "\(trained.stderr)")
        let spine = "SELECT user_id, event_timestamp, 0.5 AS prediction FROM learn ORDER BY user_id, event_timestamp LIMIT 5"
        let clash = try StrataCLI.run(
            ["predict", "--model", "p", "--spine", spine, "--output", fixture.path("scores.csv")], environment: fixture.cli)
        #expect(clash.status == 2, "\(clash.stderr)")
        #expect(clash.stderr.contains("the spine already has a column named prediction, where the scores would go"), "\(clash.stderr)")
        #expect(!FileManager.default.fileExists(atPath: fixture.path("scores.csv")))
        let renamed = try StrataCLI.run(
            ["predict", "--model", "p", "--spine", spine, "--output", fixture.path("scores.csv"), "--prediction-column", "score"],
            environment: fixture.cli)
        #expect(renamed.status == 0, "\(renamed.stderr)")
        let lines = try String(contentsOfFile: fixture.path("scores.csv"), encoding: .utf8).split(separator: "\n")
        #expect(lines.first == "user_id,event_timestamp,prediction,user_stats__clicks,score")
        #expect(lines.count == 6)
    }

    @Test func theDemoRunsOnTheSmallestSample() throws {
        let folder = "/tmp/strata-demo-test-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let schemas = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../schemas").standardized.path
        defer {
            _ = try? LocalServices.down(directory: "\(folder)/.strata")
            try? FileManager.default.removeItem(atPath: folder)
        }
        let outcome = try StrataCLI.run(
            ["demo", "--drivers", "1", "--days", "1", "--state-dir", "\(folder)/.strata", "--schemas", schemas],
            environment: ["STRATA_POSTGRES_URL": "", "STRATA_REDIS_URL": ""])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stdout.contains("skipped: 1 spine rows leave none before the last two days to train on"), "\(outcome.stdout)")
        let tooBig = try StrataCLI.run(["demo", "--days", "200000000", "--state-dir", "\(folder)/.strata"])
        #expect(tooBig.status == 2, "\(tooBig.stderr)")
        #expect(tooBig.stderr.contains("--days in 1...3650"), "\(tooBig.stderr)")
    }
}

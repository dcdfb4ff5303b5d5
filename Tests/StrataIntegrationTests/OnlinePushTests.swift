import Foundation
import StrataColumnar
import StrataCore
import StrataOffline
import StrataOnline
import StrataTestSupport
import Testing

@Suite("Online store: push", .enabled(if: TestServices.enabled))
struct OnlinePushTests {
    static let t0 = OnlineFixture.origin

    func csv(_ text: String) throws -> CSVReader {
        try CSVReader(bytes: Array(text.utf8), file: "rows.csv")
    }

    static let header = "user_id,ts,created,clicks,spend,ratio,rank,vip,segment,last_seen\n"

    @Test func pushWritesOnlineWithTheNewerWinsRuleAndAppendsOffline() throws {
        let fixture = try OnlineFixture()
        let push = OnlinePush(view: try OnlineView(named: "user_stats", in: fixture.repository))
        let rows = try push.parse(
            try csv(Self.header + """
                1,2026-01-05T00:00:00Z,2026-01-05T00:00:01Z,10,1.5,0.5,2,true,gold,2026-01-01T00:00:00Z
                1,2026-01-04T00:00:00Z,2026-01-06T00:00:00Z,9,,,,,,
                2,2026-01-05T00:00:00Z,,20,2.5,0.25,1,false,"",2026-01-02T00:00:00Z
                """), now: Self.t0)
        #expect(rows.count == 3)
        #expect(try push.write(rows, registry: fixture.registry, redis: fixture.redis, offline: true) == 2)
        let clicks = [FeatureReference(view: "user_stats", feature: "clicks"), FeatureReference(view: "user_stats", feature: "segment")]
        let at = UTCTimestamp.parse("2026-01-05T12:00:00Z")!
        var result = try fixture.store().onlineFeatures(clicks, entities: OnlineFixture.users([1, 2]), at: at)
        #expect(result.values[0] == Column(int64: [10, 20]))
        #expect(result.values[1] == Column(string: ["gold", ""]))
        #expect(try fixture.db.execute("SELECT count(*), count(created) FROM user_events").rows == [["3", "2"]])

        // An older push does not replace a newer value; a newer one does.
        let older = try push.parse(try csv(Self.header + "2,2026-01-01T00:00:00Z,,1,,,,,,\n"), now: Self.t0)
        #expect(try push.write(older, registry: fixture.registry, redis: fixture.redis, offline: false) == 0)
        let newer = try push.parse(try csv(Self.header + "2,2026-01-05T06:00:00Z,,22,,,,,,\n"), now: Self.t0)
        #expect(try push.write(newer, registry: fixture.registry, redis: fixture.redis, offline: false) == 1)
        result = try fixture.store().onlineFeatures(clicks, entities: OnlineFixture.users([1, 2]), at: at)
        #expect(result.values[0] == Column(int64: [10, 22]))
        #expect(result.status(feature: 1, row: 1) == .nullValue)
        #expect(try fixture.db.execute("SELECT count(*) FROM user_events").int(0, 0) == 3)
    }

    @Test func aMalformedRowNamesItsLineAndNothingIsWritten() throws {
        let fixture = try OnlineFixture()
        let push = OnlinePush(view: try OnlineView(named: "user_stats", in: fixture.repository))
        let text = Self.header + "1,2026-01-05T00:00:00Z,,10,1.5,0.5,2,true,gold,\n2,2026-01-05T00:00:00Z,,20,abc,0.5,2,true,gold,\n"
        let error = #expect(throws: OnlineError.self) { _ = try push.parse(try csv(text), now: Self.t0) }
        #expect(error?.message == "rows.csv:3: column spend: 'abc' is not a float64")
        let badKey = #expect(throws: OnlineError.self) {
            _ = try push.parse(try csv(Self.header + "x,2026-01-05T00:00:00Z,,10,,,,,,\n"), now: Self.t0)
        }
        #expect(badKey?.message == "rows.csv:2: column user_id: 'x' is not a int64")
        let badTime = #expect(throws: OnlineError.self) {
            _ = try push.parse(try csv(Self.header + "1,yesterday,,10,,,,,,\n"), now: Self.t0)
        }
        #expect(badTime?.message.contains("rows.csv:2: column ts: 'yesterday' is not an ISO-8601 timestamp") == true)
        let missingKey = #expect(throws: OnlineError.self) {
            _ = try push.parse(try csv(Self.header + ",2026-01-05T00:00:00Z,,10,,,,,,\n"), now: Self.t0)
        }
        #expect(missingKey?.message == "rows.csv:2: column user_id is empty; a value is required")
        let missingColumn = #expect(throws: OnlineError.self) {
            _ = try push.parse(try csv("user_id,ts,clicks\n1,2026-01-05T00:00:00Z,3\n"), now: Self.t0)
        }
        #expect(missingColumn?.message.contains("the header has no column 'spend'") == true)
        let extraColumn = #expect(throws: OnlineError.self) {
            _ = try push.parse(try csv("user_id,ts,bogus\n1,2026-01-05T00:00:00Z,3\n"), now: Self.t0)
        }
        #expect(extraColumn?.message.contains("column 'bogus' is not a column of feature view user_stats") == true)
        let ragged = #expect(throws: OfflineError.self) { _ = try push.parse(try csv(Self.header + "1,2\n"), now: Self.t0) }
        #expect(ragged?.message.contains("rows.csv:2:") == true)
        #expect(try fixture.redis.command("DBSIZE").integer == 0)
        #expect(try fixture.db.execute("SELECT count(*) FROM user_events").int(0, 0) == 0)
    }

    /// Redis refuses the writes (the users' bucket keys hold strings): the rows are committed offline, the
    /// exit code is 3, the message says what each store holds, and a push without --offline finishes.
    @Test func aRedisFailureAfterTheOfflineCommitExitsThreeAndSaysHowToFinish() throws {
        let fixture = try OnlineFixture()
        let file = fixture.folder.appendingPathComponent("rows.csv")
        try (Self.header + "1,2026-01-05T00:00:00Z,,10,1.5,0.5,2,true,gold,\n2,2026-01-05T00:00:00Z,,20,,,,,,\n")
            .write(to: file, atomically: true, encoding: .utf8)
        let prefix = OnlineLayout.keyPrefix(project: OnlineFixture.project, view: "user_stats")
        let blocked: [[UInt8]] = [Int64(1), 2].map { user in
            var key: [UInt8] = []
            let bucket = withUnsafeBytes(of: UInt64(bitPattern: user).littleEndian) { OnlineLayout.bucket(of: $0) }
            OnlineLayout.appendKey(prefix: prefix, bucket: bucket, to: &key)
            return key
        }
        for key in blocked { _ = try fixture.redis.command([Array("SET".utf8), key, Array("not a hash".utf8)]) }
        let environment = ["STRATA_POSTGRES_URL": fixture.postgresURL, "STRATA_REDIS_URL": fixture.redisURL.absoluteString]

        let failed = try StrataCLI.run(["push", "user_stats", file.path, "--offline"], environment: environment)
        #expect(failed.status == 3)
        #expect(failed.stderr.contains("the 2 rows were appended to user_events and committed"), "\(failed.stderr)")
        #expect(failed.stderr.contains("re-run this push without --offline"))
        #expect(failed.stderr.contains("WRONGTYPE"))
        #expect(try fixture.db.execute("SELECT count(*) FROM user_events").int(0, 0) == 2)

        _ = try fixture.redis.command([Array("DEL".utf8)] + blocked)
        let finished = try StrataCLI.run(["push", "user_stats", file.path], environment: environment)
        #expect(finished.status == 0, "\(finished.stderr)")
        let clicks = [FeatureReference(view: "user_stats", feature: "clicks")]
        let result = try fixture.store().onlineFeatures(clicks, entities: OnlineFixture.users([1, 2]), at: UTCTimestamp.parse("2026-01-05T01:00:00Z"))
        #expect(result.values[0] == Column(int64: [10, 20]))
        #expect(try fixture.db.execute("SELECT count(*) FROM user_events").int(0, 0) == 2)
    }

    @Test func anOfflineFailureWritesNothingOnline() throws {
        let fixture = try OnlineFixture()
        try fixture.db.execute("ALTER TABLE user_events ADD CONSTRAINT small CHECK (clicks < 100)")
        let push = OnlinePush(view: try OnlineView(named: "user_stats", in: fixture.repository))
        let rows = try push.parse(try csv(Self.header + "1,2026-01-05T00:00:00Z,,500,,,,,,\n"), now: Self.t0)
        #expect(throws: (any Error).self) { try push.write(rows, registry: fixture.registry, redis: fixture.redis, offline: true) }
        #expect(try fixture.redis.command("DBSIZE").integer == 0)
        #expect(try fixture.db.execute("SELECT count(*) FROM user_events").int(0, 0) == 0)
    }
}

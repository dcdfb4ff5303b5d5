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

    func csv(_ text: String) throws -> CSVTable {
        try CSVTable.parse(Array(text.utf8), file: "rows.csv")
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
        let ragged = #expect(throws: OfflineError.self) { _ = try csv(Self.header + "1,2\n") }
        #expect(ragged?.message.contains("rows.csv:2:") == true)
        #expect(try fixture.redis.command("DBSIZE").integer == 0)
        #expect(try fixture.db.execute("SELECT count(*) FROM user_events").int(0, 0) == 0)
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

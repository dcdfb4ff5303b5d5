import Foundation
import StrataColumnar
import StrataCore
import StrataOffline
import StrataOnline
import StrataRedis
import StrataTestSupport
import Testing

@Suite("Online store: lookups", .enabled(if: TestServices.enabled))
struct OnlineLookupTests {
    static let day = OnlineFixture.microsPerDay
    static let t0 = OnlineFixture.origin

    /// User 1 fresh and complete, user 2 fresh with null values, user 3 absent, user 4 older than the ttl.
    func statusFixture() throws -> OnlineFixture {
        let fixture = try OnlineFixture()
        try fixture.insert([
            .init(user: 1, ts: Self.t0 + 9 * Self.day, created: Self.t0, clicks: 7, spend: 2.5, segment: "a,\"b\"\n"),
            .init(user: 2, ts: Self.t0 + 9 * Self.day, created: Self.t0, clicks: nil, spend: nil, ratio: nil, rank: nil,
                  vip: nil, segment: nil, lastSeen: nil),
            .init(user: 4, ts: Self.t0 + 2 * Self.day, created: Self.t0, clicks: 9),
        ])
        try fixture.insertStores([("s1", Self.t0, 3, 4.5)])
        try fixture.materializer().materialize(project: OnlineFixture.project, start: nil, end: Self.t0 + 10 * Self.day)
        return fixture
    }

    @Test func everyStatusIsReportedTruthfully() throws {
        let fixture = try statusFixture()
        let at = Self.t0 + 9 * Self.day + 3_600_000_000
        let references = fixture.repository.featureView(named: "user_stats")!.features.map {
            FeatureReference(view: "user_stats", feature: $0.name)
        }
        let result = try fixture.store().onlineFeatures(references, entities: OnlineFixture.users([1, 2, 3, 4]), at: at)
        for f in references.indices {
            #expect(result.statuses(feature: f).elementsEqual([.present, .nullValue, .notFound, .outsideMaxAge]))
            #expect(result.values[f].nullCount == 3)
            #expect(result.eventTimestamps(feature: f) == [Self.t0 + 9 * Self.day, Self.t0 + 9 * Self.day, 0, Self.t0 + 2 * Self.day])
        }
        #expect(result.values[0].int64(at: 0) == 7)
        #expect(result.values[1].float64(at: 0) == 2.5)
        #expect(result.values[2].float32(at: 0) == 0.25)
        #expect(result.values[3].int32(at: 0) == 3)
        #expect(result.values[4].bool(at: 0) == true)
        #expect(result.values[5].string(at: 0) == "a,\"b\"\n")
        #expect(result.values[6].timestamp(at: 0) == Self.t0)
        // Within the ttl at an earlier time, user 4 is present.
        let earlier = try fixture.store().onlineFeatures(references, entities: OnlineFixture.users([4]), at: Self.t0 + 3 * Self.day)
        #expect(earlier.status(feature: 0, row: 0) == .present)
    }

    @Test func aServiceOverTwoEntitiesIsOneCallWithFeastsJSON() throws {
        let fixture = try statusFixture()
        let entities = Frame(names: ["store_code", "user_id"], columns: [Column(string: ["s1", "s2"]), Column(int64: [1, 3])])
        let result = try fixture.store().onlineFeatures(service: "scoring", entities: entities, at: Self.t0 + 9 * Self.day)
        #expect(result.joinKeys == ["user_id", "store_code"])
        let json = try JSONSerialization.jsonObject(with: Data(result.feastJSON().utf8)) as! [String: Any]
        let names = (json["metadata"] as! [String: Any])["feature_names"] as! [String]
        #expect(names == ["user_id", "store_code", "clicks", "spend", "rating", "segment"])
        let results = json["results"] as! [[String: Any]]
        #expect(results.count == 6)
        #expect(results[0]["values"] as? [Int] == [1, 3])
        #expect(results[0]["statuses"] as? [String] == ["PRESENT", "PRESENT"])
        #expect(results[2]["values"] as? [Any?] != nil)
        #expect((results[2]["values"] as! [Any])[0] as? Int == 7)
        #expect((results[2]["values"] as! [Any])[1] is NSNull)
        #expect(results[2]["statuses"] as? [String] == ["PRESENT", "NOT_FOUND"])
        #expect(results[2]["event_timestamps"] as? [String] == ["2026-01-10T00:00:00Z", "1970-01-01T00:00:00Z"])
        #expect((results[4]["values"] as! [Any])[0] as? Double == 4.5)
        #expect(results[4]["statuses"] as? [String] == ["PRESENT", "NOT_FOUND"])
        #expect((results[5]["values"] as! [Any])[0] as? String == "a,\"b\"\n")
        let full = try JSONSerialization.jsonObject(with: Data(result.feastJSON(fullFeatureNames: true).utf8)) as! [String: Any]
        #expect(((full["metadata"] as! [String: Any])["feature_names"] as! [String])[2] == "user_stats__clicks")
    }

    @Test func badRequestsAreClearErrors() throws {
        let fixture = try statusFixture()
        let store = fixture.store()
        let unknown = #expect(throws: OnlineError.self) {
            try store.onlineFeatures([FeatureReference(view: "user_stats", feature: "nope")], entities: OnlineFixture.users([1]))
        }
        #expect(unknown?.code == .unknownFeature)
        #expect(unknown?.message.contains("nope") == true && unknown?.message.contains("clicks") == true)
        let unknownView = #expect(throws: OnlineError.self) {
            try store.onlineFeatures([FeatureReference(view: "nope", feature: "x")], entities: OnlineFixture.users([1]))
        }
        #expect(unknownView?.message.contains("user_stats") == true)
        let clicks = [FeatureReference(view: "user_stats", feature: "clicks")]
        let wrongType = #expect(throws: OnlineError.self) {
            try store.onlineFeatures(clicks, entities: Frame(names: ["user_id"], columns: [Column(string: ["1"])]))
        }
        #expect(wrongType?.code == .badEntity)
        #expect(wrongType?.message.contains("user_id is int64") == true)
        let missing = #expect(throws: OnlineError.self) {
            try store.onlineFeatures(clicks, entities: Frame(names: ["driver_id"], columns: [Column(int64: [1])]))
        }
        #expect(missing?.message.contains("no join key user_id") == true)
        let query = try OnlineQuery(service: "scoring", in: fixture.repository)
        let parsedBadly = #expect(throws: OnlineError.self) { try query.entities(parsing: [[("user_id", "x1"), ("store_code", "s1")]]) }
        #expect(parsedBadly?.message.contains("'x1' is not an integer") == true)
        let parsedMissing = #expect(throws: OnlineError.self) { try query.entities(parsing: [[("user_id", "1")]]) }
        #expect(parsedMissing?.message.contains("no value for join key store_code") == true)
        let parsedExtra = #expect(throws: OnlineError.self) { try query.entities(parsing: [[("user", "1")]]) }
        #expect(parsedExtra?.message.contains("'user' is not a join key") == true)
        let service = #expect(throws: OnlineError.self) { try OnlineQuery(service: "nope", in: fixture.repository) }
        #expect(service?.message.contains("scoring") == true)
    }

    /// The online store keeps each entity's latest record; at an earlier instant it either answers what
    /// the offline join answers or NOT_FOUND, never the later value.
    @Test(arguments: [UInt64(31), 32])
    func aRecordFromAfterTheLookupTimeIsNotFoundSoOnlineEqualsOffline(seed: UInt64) throws {
        let fixture = try OnlineFixture()
        try fixture.insertRandom(users: 200, seed: seed)
        let end = Self.t0 + 10 * Self.day
        try fixture.materializer().materialize(project: OnlineFixture.project, start: nil, end: end)
        let references = fixture.repository.featureView(named: "user_stats")!.features.map {
            FeatureReference(view: "user_stats", feature: $0.name)
        }
        let ids = Array(Int64(1)...210)
        let selection = try FeatureSelection.resolve(references, in: fixture.repository)
        var answered = 0, unanswerable = 0
        for at in [Self.t0 - Self.day, Self.t0 + 2 * Self.day, Self.t0 + 5 * Self.day + 7 * 3_600_000_000, Self.t0 + 9 * Self.day, end] {
            let online = try fixture.store().onlineFeatures(references, entities: OnlineFixture.users(ids), at: at)
            let spine = Frame(names: ["user_id", "event_timestamp"], columns: [
                Column(int64: ids), Column(timestamp: Array(repeating: at, count: ids.count)),
            ])
            let offline = try PointInTimeJoin(connection: fixture.db).join(spine: spine, selection: selection)
            for (f, reference) in references.enumerated() {
                let expected = offline[reference.columnName]!
                let times = online.eventTimestamps(feature: f)
                for row in ids.indices {
                    switch online.status(feature: f, row: row) {
                    case .present, .nullValue:
                        #expect(times[row] <= at, "\(reference) row \(row) at \(at)")
                        #expect(Self.cell(online.values[f], row) == Self.cell(expected, row), "\(reference) row \(row) at \(at)")
                        answered += 1
                    case .outsideMaxAge:
                        #expect(expected.isNull(row), "\(reference) row \(row) at \(at)")
                    case .notFound:
                        if expected.isValid(row) { unanswerable += 1 }
                    }
                }
            }
        }
        #expect(answered > 500)
        #expect(unanswerable > 100)
        let before = try fixture.store().onlineFeatures(references, entities: OnlineFixture.users(ids), at: Self.t0 - 1)
        for f in references.indices {
            #expect(before.statuses(feature: f).allSatisfy { $0 == .notFound })
            #expect(before.values[f].nullCount == ids.count)
        }
    }

    /// A cell as text, nil for null, for comparing single rows of two columns.
    static func cell(_ column: Column, _ row: Int) -> String? {
        if column.isNull(row) { return nil }
        switch column.storage {
        case .int64(let v), .timestamp(let v): return String(v[row])
        case .int32(let v): return String(v[row])
        case .float32(let v): return "\(v[row].bitPattern)"
        case .float64(let v): return "\(v[row].bitPattern)"
        case .bool(let v): return "\(v[row])"
        case .string: return column.string(at: row)
        }
    }

    @Test func recordsRoundTripEveryTypeAndAreSmall() throws {
        let fixture = try statusFixture()
        let dump = try fixture.dump()
        let records = dump.filter { $0.key.hasPrefix("s:shop:user_stats:{") }.map(\.value)
        #expect(records.count == 3)
        // Header 19 + bitmap 1 + 8+8+4+4+1 + (1+6) + 8 for the complete record.
        #expect(records.map(\.count).max() == 19 + 1 + 25 + 7 + 8)
        // A record whose schema tag no longer matches the view reads as NOT_FOUND, not as garbage.
        var changed = fixture.repository
        changed.featureViews[0].features[0].type = .float64
        let stale = OnlineStore(redis: fixture.redis, repository: changed)
        let result = try stale.onlineFeatures(
            [FeatureReference(view: "user_stats", feature: "clicks")], entities: OnlineFixture.users([1]), at: Self.t0 + 9 * Self.day)
        #expect(result.status(feature: 0, row: 0) == .notFound)
    }
}

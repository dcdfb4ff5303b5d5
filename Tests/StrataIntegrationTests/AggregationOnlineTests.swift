import Foundation
import StrataColumnar
import StrataCore
import StrataOffline
import StrataOnline
import StrataPostgres
import StrataRedis
import StrataTestSupport
import Testing

@Suite("Windowed aggregations online, against the brute-force SQL oracle", .enabled(if: TestServices.enabled))
struct AggregationOnlineTests {
    /// After a materialisation, lookups at instants from its end to 35 days later equal the oracle:
    /// values change as time passes, and tiles leave the windows.
    @Test(arguments: [UInt64(11), 12, 13])
    func materialisedLookupsEqualTheOracle(seed: UInt64) throws {
        let fixture = try AggregationFixture(seed: seed)
        // The end falls inside a hop, and events reach it.
        let end = fixture.end - 1_234_567
        try fixture.insert(fixture.randomEvents(400, from: fixture.origin, to: end) + [AggregationFixture.Event(driver: 1, ts: end, fare: 3)])
        let reports = try Materializer(registry: fixture.registry, redis: fixture.redis)
            .materialize(project: "fleet", views: ["activity"], start: nil, end: end)
        #expect(reports.views.first?.written ?? 0 > 0)
        let differences = try fixture.onlineDifferences(at: fixture.instantsAfter(end), label: "seed \(seed)")
        #expect(differences.isEmpty, "\(differences.prefix(10))")
        // A lookup of some aggregations, in another order, gives their columns of the full lookup.
        let store = OnlineStore(redis: fixture.redis, repository: fixture.repository)
        let drivers = Frame(names: ["driver_id"], columns: [Column(int64: Array(1...(fixture.entities + 2)))])
        let all = try store.onlineFeatures(fixture.references, entities: drivers, at: end)
        let picked = [12, 0, 7, 15]
        let some = try store.onlineFeatures(picked.map { fixture.references[$0] }, entities: drivers, at: end)
        for (position, index) in picked.enumerated() {
            #expect(some.values[position] == all.values[index], "\(fixture.references[index])")
        }
        // Replays before the end answer what offline does or NOT_FOUND: on the last hop boundary before
        // the end every aggregation answers (its tiles are whole and kept); just before an event at the
        // end, the instant's own tile holds a later event, so nothing answers for that driver.
        let hopMicros = fixture.hop * 1_000_000
        let boundary = (end / hopMicros) * hopMicros
        var past = [boundary, end - 1, boundary - hopMicros]
        for _ in 0..<4 { past.append(end - Int64.random(in: 1...(40 * AggregationFixture.day), using: &fixture.rng)) }
        var unanswered: [(Int, Int64, Int)] = []
        let replayed = try fixture.onlineDifferences(at: past, label: "replay seed \(seed)", unanswered: &unanswered)
        #expect(replayed.isEmpty, "\(replayed.prefix(10))")
        #expect(!unanswered.contains { $0.0 == 0 && $0.1 == 1 }, "\(unanswered.filter { $0.0 == 0 }.prefix(5))")
        #expect(unanswered.filter { $0.0 == 1 && $0.1 == 1 }.count == fixture.aggregations.count)
        // Decoding the stored records without a connection answers as a lookup of the present does.
        let future = Int64(Date().timeIntervalSince1970 * 1e6) + 2 * AggregationFixture.day
        let query = try OnlineQuery(fixture.references, in: fixture.repository)
        var stored: [[UInt8]?] = []
        for driver in 1...(fixture.entities + 2) {
            // A single int64 join key's field is its 8 little-endian bytes (docs/online-layout.md).
            let field = withUnsafeBytes(of: UInt64(bitPattern: driver).littleEndian) { Array($0) }
            var bucket: [UInt8] = []
            OnlineLayout.appendKey(
                prefix: OnlineLayout.keyPrefix(project: "fleet", view: "activity"),
                bucket: field.withUnsafeBytes(OnlineLayout.bucket(of:)), to: &bucket)
            stored.append(try fixture.redis.command([Array("HGET".utf8), bucket, field]).bytes)
        }
        let decoded = try OnlineStore.features(decoding: stored, query: query, entities: drivers, at: future)
        let live = try store.onlineFeatures(query, entities: drivers, at: future)
        #expect(decoded.values == live.values)
        #expect(stored.contains { $0 == nil } && stored.contains { $0 != nil })
        // Every bucket expires.
        let keys = try fixture.redis.command(["KEYS", "s:fleet:activity:*"]).array ?? []
        #expect(!keys.isEmpty)
        for key in keys.compactMap(\.bytes) {
            #expect((try fixture.redis.command([Array("PTTL".utf8), key]).integer ?? -1) > 0)
        }
    }

    /// Incremental runs rebuild the tiles of the entities they touch: two runs over halves of the data
    /// give the oracle's values, and a rerun of a window changes nothing but the write times.
    @Test(arguments: [UInt64(21), 22])
    func incrementalRunsAndRerunsEqualTheOracle(seed: UInt64) throws {
        let fixture = try AggregationFixture(seed: seed)
        let middle = fixture.origin + 20 * AggregationFixture.day
        try fixture.insert(fixture.randomEvents(250, from: fixture.origin, to: middle))
        let materializer = Materializer(registry: fixture.registry, redis: fixture.redis)
        try materializer.materializeIncremental(project: "fleet", views: ["activity"], end: middle)
        try fixture.insert(fixture.randomEvents(250, from: middle + 1, to: fixture.end))
        try materializer.materializeIncremental(project: "fleet", views: ["activity"], end: fixture.end)
        var differences = try fixture.onlineDifferences(at: fixture.instantsAfter(fixture.end), label: "seed \(seed)")
        #expect(differences.isEmpty, "\(differences.prefix(10))")

        let before = try Self.records(fixture.redis)
        try materializer.materialize(project: "fleet", views: ["activity"], start: middle, end: fixture.end)
        #expect(try Self.records(fixture.redis) == before)
        differences = try fixture.onlineDifferences(at: [fixture.end], label: "rerun")
        #expect(differences.isEmpty, "\(differences.prefix(10))")
    }

    /// A push appends events to the source and rebuilds the pushed entities' tiles; without --offline
    /// it is refused and nothing is written.
    @Test func pushRebuildsTilesFromTheSource() throws {
        let fixture = try AggregationFixture(seed: 31)
        let now = Int64(Date().timeIntervalSince1970 * 1e6)
        try fixture.insert(fixture.randomEvents(200, from: now - 20 * AggregationFixture.day, to: now - AggregationFixture.day))
        try Materializer(registry: fixture.registry, redis: fixture.redis)
            .materialize(project: "fleet", views: ["activity"], start: nil, end: now - AggregationFixture.day)
        let push = OnlinePush(view: try OnlineView(named: "activity", in: fixture.repository))
        #expect(push.pushedColumns.map(\.name) == ["fare", "note", "rating", "flag"])
        let header = "driver_id,ts,created,fare,note,rating,flag\n"
        let hour = UTCTimestamp.format(now - 3_600_000_000)
        let text = header + "1,\(hour),,12.5,x,4,true\n1,\(hour),,12.5,x,4,true\n2,\(hour),\(hour),,,,\n"
        let rows = try push.parse(try CSVReader(bytes: Array(text.utf8), file: "rows.csv"), now: now)
        let refused = #expect(throws: OnlineError.self) { try push.write(rows, registry: fixture.registry, redis: fixture.redis, offline: false) }
        #expect(refused?.code == .badInput)
        #expect(try fixture.db.execute("SELECT count(*) FROM events").int(0, 0) == 200)
        #expect(try push.write(rows, registry: fixture.registry, redis: fixture.redis, offline: true) == 2)
        #expect(try fixture.db.execute("SELECT count(*) FROM events").int(0, 0) == 203)
        let instant = Int64(Date().timeIntervalSince1970 * 1e6) + 1_000_000
        let differences = try fixture.onlineDifferences(at: [instant, instant + 2 * AggregationFixture.day], label: "push")
        #expect(differences.isEmpty, "\(differences.prefix(10))")
    }

    /// A materialisation whose window ends long ago writes nothing: every tile already left every window.
    @Test func expiredTilesAreNotWritten() throws {
        let fixture = try AggregationFixture(seed: 41)
        let past = fixture.origin - 100 * AggregationFixture.day
        try fixture.insert(fixture.randomEvents(100, from: past - 20 * AggregationFixture.day, to: past))
        let reports = try Materializer(registry: fixture.registry, redis: fixture.redis)
            .materialize(project: "fleet", views: ["activity"], start: nil, end: past)
        #expect(reports.views.first?.entities ?? 0 > 0)
        #expect(reports.views.first?.written == 0)
        #expect(try fixture.redis.command(["KEYS", "s:fleet:activity:*"]).array?.isEmpty == true)
    }

    /// The command line: a lookup of an entity without events answers count 0, `PRESENT`; a push
    /// without --offline, a column the source lacks and a text column for mean exit 2 naming what is
    /// wrong and where, leaving the registry as it was.
    @Test func theCommandLineServesAndRefuses() throws {
        let fixture = try AggregationFixture(seed: 51)
        let environment = ["STRATA_POSTGRES_URL": fixture.url, "STRATA_REDIS_URL": fixture.redisURL.absoluteString]
        let lookup = try StrataCLI.run(
            ["online", "--features", "activity:events_30d,activity:fare_sum", "--entity", "driver_id=999"], environment: environment)
        #expect(lookup.status == 0, "\(lookup.stderr)")
        #expect(lookup.stdout.contains(#"{"values":[0],"statuses":["PRESENT"]"#))
        #expect(lookup.stdout.contains(#"{"values":[null],"statuses":["NULL_VALUE"]"#))

        let rows = fixture.folder.appendingPathComponent("rows.csv")
        try "driver_id,ts,fare,note,rating,flag\n1,2026-01-01T00:00:00Z,1.5,,,\n".write(to: rows, atomically: true, encoding: .utf8)
        let push = try StrataCLI.run(["push", "activity", rows.path], environment: environment)
        #expect(push.status == 2)
        #expect(push.stderr.contains("needs --offline"))

        let schemas = fixture.folder.appendingPathComponent("bad")
        try FileManager.default.createDirectory(at: schemas, withIntermediateDirectories: true)
        let text = try String(contentsOf: fixture.folder.appendingPathComponent("fleet.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "column: \"fare\", function: sum", with: "column: \"tip\", function: sum")
            .replacingOccurrences(of: "column: \"fare\", function: mean", with: "column: \"note\", function: mean")
        try text.write(to: schemas.appendingPathComponent("fleet.yaml"), atomically: true, encoding: .utf8)
        let apply = try StrataCLI.run(["apply", schemas.path], environment: environment)
        #expect(apply.status == 2)
        #expect(apply.stderr.contains("fleet.yaml:"))
        #expect(apply.stderr.contains("aggregation fare_sum reads column 'tip', which table 'events' does not have"))
        #expect(apply.stderr.contains("aggregation fare_mean is mean of column 'note', which is text in table 'events'; mean reads numbers"))
        #expect(try fixture.registry.repository(project: "fleet").featureView(named: "activity")?.aggregations == fixture.aggregations)
    }

    /// Every field → record of the view's buckets, with each record's write time (bytes 9..<17) blanked;
    /// the project's marker hash is left out, since each run sets its own token there.
    static func records(_ redis: RedisConnection) throws -> [String: [UInt8]] {
        var result: [String: [UInt8]] = [:]
        for key in (try redis.command(["KEYS", "s:fleet:activity:*"]).array ?? []).compactMap(\.bytes) {
            let entries = try redis.command([Array("HGETALL".utf8), key]).array ?? []
            for i in stride(from: 0, to: entries.count, by: 2) {
                var record = entries[i + 1].bytes ?? []
                if record.count > 17 { record.replaceSubrange(9..<17, with: [UInt8](repeating: 0, count: 8)) }
                result[String(decoding: key + [0] + (entries[i].bytes ?? []), as: UTF8.self)] = record
            }
        }
        return result
    }
}

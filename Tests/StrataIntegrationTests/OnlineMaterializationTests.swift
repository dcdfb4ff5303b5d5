import Foundation
import StrataColumnar
import StrataCore
import StrataEmbedded
import StrataOffline
import StrataOnline
import StrataPostgres
import StrataRedis
import StrataRegistry
import StrataTestSupport
import Testing

@Suite("Online store: materialisation into Redis", .enabled(if: TestServices.enabled))
struct OnlineMaterializationTests {
    static let day = OnlineFixture.microsPerDay

    @Test(arguments: [UInt64(1), 2, 3])
    func onlineValuesEqualTheOfflineJoinAtTheEndOfTheWindow(seed: UInt64) throws {
        let fixture = try OnlineFixture()
        try fixture.insertRandom(users: 250, seed: seed)
        let end = OnlineFixture.origin + 6 * Self.day + Int64(seed) * 3_600_000_000
        try fixture.materializer().materialize(project: OnlineFixture.project, start: nil, end: end)
        #expect(try fixture.registry.watermark(project: OnlineFixture.project, view: "user_stats") == end)

        let ids = Array(Int64(1)...260)
        let references = fixture.repository.featureView(named: "user_stats")!.features.map {
            FeatureReference(view: "user_stats", feature: $0.name)
        }
        let online = try fixture.store().onlineFeatures(references, entities: OnlineFixture.users(ids), at: end)
        let spine = Frame(names: ["user_id", "event_timestamp"], columns: [
            Column(int64: ids), Column(timestamp: Array(repeating: end, count: ids.count)),
        ])
        let offline = try PointInTimeJoin(connection: fixture.db).join(
            spine: spine, selection: try FeatureSelection.resolve(references, in: fixture.repository))
        var present = 0
        for (f, reference) in references.enumerated() {
            let expected = offline[reference.columnName]!
            #expect(online.values[f] == expected, "feature \(reference)")
            for row in 0..<ids.count {
                let status = online.status(feature: f, row: row)
                #expect((status == .present) == expected.isValid(row), "\(reference) row \(row): \(status)")
                if status == .present { present += 1 }
            }
        }
        #expect(present > 200)
        let statuses = Set((0..<ids.count).map { online.status(feature: 0, row: $0) })
        #expect(statuses.isSuperset(of: [.present, .notFound, .outsideMaxAge]))

        let stores = Frame(names: ["store_code"], columns: [Column(string: (0..<45).map { "s\($0)" })])
        let storeOnline = try fixture.store().onlineFeatures(
            [FeatureReference(view: "store_stats", feature: "rating"), FeatureReference(view: "store_stats", feature: "visits")],
            entities: stores, at: end)
        let storeOffline = try PointInTimeJoin(connection: fixture.db).join(
            spine: Frame(names: ["store_code", "event_timestamp"], columns: [
                stores["store_code"]!, Column(timestamp: Array(repeating: end, count: 45)),
            ]),
            selection: try FeatureSelection.resolve(
                [FeatureReference(view: "store_stats", feature: "rating"), FeatureReference(view: "store_stats", feature: "visits")],
                in: fixture.repository))
        #expect(storeOnline.values[0] == storeOffline["store_stats__rating"]!)
        #expect(storeOnline.values[1] == storeOffline["store_stats__visits"]!)
    }

    @Test func incrementalRunsOverManyWindowsEqualOneFullRun() throws {
        let fixture = try OnlineFixture()
        try fixture.insertRandom(users: 300, seed: 11)
        let ends = (1...7).map { OnlineFixture.origin + Int64($0) * 37 * 3_600_000_000 }
        for end in ends {
            try fixture.materializer().materializeIncremental(project: OnlineFixture.project, end: end)
            #expect(try fixture.registry.watermark(project: OnlineFixture.project, view: "user_stats") == end)
            #expect(try fixture.registry.watermark(project: OnlineFixture.project, view: "store_stats") == end)
        }
        let other = try RedisConnection(url: RedisURL(try TestServices.shared.freshRedisURL()))
        try Materializer(registry: fixture.registry, redis: other).materialize(
            project: OnlineFixture.project, start: nil, end: ends.last!)
        let incremental = try fixture.dump()
        #expect(incremental.count > 200)
        #expect(incremental == (try fixture.dump(other)))
    }

    @Test func olderValuesNeverReplaceNewerOnesUnderLateDataAndReruns() throws {
        let fixture = try OnlineFixture()
        let t0 = OnlineFixture.origin
        try fixture.insert([
            .init(user: 1, ts: t0 + 5 * Self.day, created: t0 + 5 * Self.day, clicks: 50),
            .init(user: 2, ts: t0 + 5 * Self.day, created: t0 + 5 * Self.day, clicks: 20),
            .init(user: 2, ts: t0 + 5 * Self.day, created: t0 + 5 * Self.day + 1, clicks: 21),
        ])
        let materializer = fixture.materializer()
        try materializer.materialize(project: OnlineFixture.project, start: t0 + 4 * Self.day, end: t0 + 6 * Self.day)
        // Late data: an older row arrives, and an earlier window is materialised after the later one.
        try fixture.insert([.init(user: 1, ts: t0 + 2 * Self.day, created: t0 + 7 * Self.day, clicks: 10)])
        let reports = try materializer.materialize(project: OnlineFixture.project, start: t0, end: t0 + 3 * Self.day)
        #expect(reports.views.first { $0.view == "user_stats" }?.entities == 1)
        #expect(reports.views.first { $0.view == "user_stats" }?.written == 0)
        let clicks = [FeatureReference(view: "user_stats", feature: "clicks")]
        let at = t0 + 6 * Self.day
        var result = try fixture.store().onlineFeatures(clicks, entities: OnlineFixture.users([1, 2]), at: at)
        #expect(result.values[0] == Column(int64: [50, 21]))
        // A rerun of the whole range converges to the same state; so does an overlapping window.
        let before = try fixture.dump()
        try materializer.materialize(project: OnlineFixture.project, start: nil, end: at)
        try materializer.materialize(project: OnlineFixture.project, start: t0 + Self.day, end: t0 + 5 * Self.day)
        #expect(try fixture.dump() == before)
        // The same event time with a later created time wins, as in the offline join.
        try fixture.insert([.init(user: 1, ts: t0 + 5 * Self.day, created: t0 + 5 * Self.day + 5, clicks: 51)])
        try materializer.materialize(project: OnlineFixture.project, start: t0, end: at)
        result = try fixture.store().onlineFeatures(clicks, entities: OnlineFixture.users([1, 2]), at: at)
        #expect(result.values[0] == Column(int64: [51, 21]))
        // The watermark never moves back.
        #expect(try fixture.registry.watermark(project: OnlineFixture.project, view: "user_stats") == at)
    }

    @Test func aRunKilledHalfwayLeavesTheWatermarkAndARerunRepairsTheState() throws {
        let fixture = try OnlineFixture()
        try fixture.db.execute(
            """
            INSERT INTO user_events
            SELECT i % 60000 + 1, $1::timestamptz + (i % 977) * interval '1 minute', $1::timestamptz + (i % 977) * interval '1 minute',
                   i, i * 0.5, 0.25, i % 1000, i % 2 = 0, 'segment-' || (i % 7), $1::timestamptz
            FROM generate_series(1, 120000) AS i
            """, [.text(UTCTimestamp.format(OnlineFixture.origin))])
        let end = OnlineFixture.origin + 2 * Self.day
        let strata = try StrataCLI.executable()
        let process = Process()
        process.executableURL = strata
        process.arguments = ["materialize-incremental", "--end", UTCTimestamp.format(end), "--batch-rows", "500"]
        var environment = ProcessInfo.processInfo.environment
        environment["STRATA_POSTGRES_URL"] = fixture.postgresURL
        environment["STRATA_REDIS_URL"] = fixture.redisURL.absoluteString
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(60)
        while (try fixture.redis.command("DBSIZE").integer ?? 0) < 100, process.isRunning, Date() < deadline {
            usleep(2_000)
        }
        #expect(process.isRunning, "the child finished before it could be killed; make the data larger")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)
        #expect(try fixture.registry.watermark(project: OnlineFixture.project, view: "user_stats") == nil)
        let partial = try fixture.dump()
        #expect(partial.count > 0 && partial.count < 60_000)

        try fixture.materializer(batchRows: 16_384).materializeIncremental(project: OnlineFixture.project, end: end)
        #expect(try fixture.registry.watermark(project: OnlineFixture.project, view: "user_stats") == end)
        let other = try RedisConnection(url: RedisURL(try TestServices.shared.freshRedisURL()))
        try Materializer(registry: fixture.registry, redis: other).materialize(project: OnlineFixture.project, start: nil, end: end)
        let repaired = try fixture.dump()
        #expect(repaired.count == 60_000)
        #expect(repaired == (try fixture.dump(other)))
    }

    @Test func redisRestartedMidRunIsAClearErrorAndLeavesTheWatermark() throws {
        var server = try LocalRedis.start()
        defer { try? server.stop() }
        let fixture = try OnlineFixture(redisURL: server.url)
        try fixture.insertRandom(users: 400, seed: 5)
        let end = OnlineFixture.origin + 9 * Self.day
        var restarted = false
        let error = #expect(throws: OnlineError.self) {
            try fixture.materializer(batchRows: 50).materialize(project: OnlineFixture.project, start: nil, end: end) { _, _, _ in
                if !restarted {
                    restarted = true
                    try? server.restart()
                }
            }
        }
        #expect(error?.code == .redisRestarted)
        #expect(error?.message.contains("restarted") == true)
        #expect(error?.message.contains("127.0.0.1:\(server.port)") == true)
        #expect(try fixture.registry.watermarks(project: OnlineFixture.project).isEmpty)
        try fixture.materializer().materialize(project: OnlineFixture.project, start: nil, end: end)
        #expect(try fixture.registry.watermark(project: OnlineFixture.project, view: "user_stats") == end)
    }

    /// The source is a view that streams the table already in the materialisation's order, tie rule
    /// included (so no sort
    /// sits above its counter) and counts, in a sequence, each row it hands on; every bucket key of user_stats holds a string, so the first
    /// write to Redis fails. The COPY must stop after a few batches, not after the whole table.
    @Test func aRedisFailureEarlyInALargeViewStopsTheCopyAndLeavesTheConnectionReady() throws {
        let fixture = try OnlineFixture(
            schema: OnlineFixture.schema().replacingOccurrences(of: "table: user_events,", with: "table: user_events_streamed,"))
        let total = 200_000
        try fixture.db.executeScript(
            """
            INSERT INTO user_events
            SELECT i, '2026-01-01'::timestamptz + (i % 977) * interval '1 minute', '2026-01-01'::timestamptz,
                   i, i * 0.5, 0.25, i % 1000, i % 2 = 0, 'segment-' || (i % 7), '2026-01-01'::timestamptz
            FROM generate_series(1, \(total)) AS i;
            CREATE SEQUENCE rows_streamed;
            CREATE FUNCTION streamed() RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$ BEGIN RETURN nextval('rows_streamed') > 0; END $$;
            CREATE VIEW user_events_streamed AS
            SELECT * FROM (SELECT * FROM user_events ORDER BY user_id DESC, ts DESC, created DESC, clicks DESC NULLS LAST, spend DESC NULLS LAST, ratio DESC NULLS LAST, rank DESC NULLS LAST, vip DESC NULLS LAST, segment COLLATE "C" DESC NULLS LAST, last_seen DESC NULLS LAST OFFSET 0) AS sorted WHERE streamed();
            """)
        let prefix = OnlineLayout.keyPrefix(project: OnlineFixture.project, view: "user_stats")
        let blockers: [[[UInt8]]] = (0..<OnlineLayout.bucketCount).map { bucket in
            var key: [UInt8] = []
            OnlineLayout.appendKey(prefix: prefix, bucket: bucket, to: &key)
            return [Array("SET".utf8), key, Array("not a hash".utf8)]
        }
        _ = try fixture.redis.pipeline(blockers)
        let batchRows = 1_000
        let error = #expect(throws: RedisError.self) {
            try fixture.materializer(batchRows: batchRows).materialize(
                project: OnlineFixture.project, views: ["user_stats"], start: nil, end: OnlineFixture.origin + 2 * Self.day)
        }
        #expect(error?.message.contains("WRONGTYPE") == true)
        #expect(fixture.registry.connection.isIdle)
        let streamed = try #require(try fixture.db.execute("SELECT last_value FROM rows_streamed").int(0, 0))
        #expect(streamed < Int64(total / 4), "\(streamed / Int64(batchRows)) batches of \(total / batchRows) were streamed")
        #expect(try fixture.registry.watermarks(project: OnlineFixture.project).isEmpty)
        let stores = try fixture.materializer().materialize(project: OnlineFixture.project, views: ["store_stats"], start: nil, end: OnlineFixture.origin)
        #expect(stores.views.map(\.view) == ["store_stats"])
    }

    @Test func removingAViewDeletesItsKeysAndOnlyThose() throws {
        let fixture = try OnlineFixture()
        try fixture.insertRandom(users: 200, seed: 9)
        try fixture.materializer().materialize(project: OnlineFixture.project, start: nil, end: OnlineFixture.origin + 10 * Self.day)
        let before = try fixture.dump()
        let storeKeys = before.keys.filter { $0.hasPrefix("s:shop:store_stats:{") }.count
        #expect(storeKeys > 0)
        let old = fixture.repository
        var new = old
        new.featureViews.removeAll { $0.name == "user_stats" }
        var retyped = old
        retyped.featureViews[1].features[0].type = .float64
        var offline = old
        offline.featureViews[0].online = false
        #expect(Registry.onlineViewsToReset(from: old, to: new) == ["user_stats"])
        #expect(Registry.onlineViewsToReset(from: old, to: offline) == ["user_stats"])
        #expect(Registry.onlineViewsToReset(from: old, to: retyped) == ["store_stats"])
        #expect(Registry.onlineViewsToReset(from: old, to: old).isEmpty)
        let removed = try OnlineStore.removeKeys(project: OnlineFixture.project, view: "user_stats", redis: fixture.redis)
        #expect(removed > 0)
        let after = try fixture.dump()
        #expect(after.count == storeKeys)
        #expect(after.keys.allSatisfy { $0.hasPrefix("s:shop:store_stats:{") })
    }

    @Test func expiringViewsSetKeyDeadlinesFromTheEventTimeAndReadAsNotFoundAfterThem() throws {
        let fixture = try OnlineFixture(schema: OnlineFixture.schema(ttl: "0", expiry: "2d"))
        let now = Int64(Date().timeIntervalSince1970) * 1_000_000
        try fixture.insert([
            .init(user: 1, ts: now - Self.day, created: now - Self.day),
            .init(user: 2, ts: now - 3 * Self.day, created: now - 3 * Self.day),
        ])
        let reports = try fixture.materializer().materialize(project: OnlineFixture.project, start: nil, end: now)
        #expect(reports.views.first { $0.view == "user_stats" }?.written == 1)
        let clicks = [FeatureReference(view: "user_stats", feature: "clicks")]
        let result = try fixture.store().onlineFeatures(clicks, entities: OnlineFixture.users([1, 2]), at: now)
        #expect(result.statuses(feature: 0).elementsEqual([.present, .notFound]))
        let later = try fixture.store().onlineFeatures(clicks, entities: OnlineFixture.users([1]), at: now + Self.day)
        #expect(later.status(feature: 0, row: 0) == .notFound)
        let keys = try fixture.dump().keys.map { String($0.prefix { $0 != "|" }) }
        let ttl = try #require(try fixture.redis.command(["PTTL", keys[0]]).integer)
        #expect(ttl > (Self.day - 60_000_000) / 1000 && ttl <= Self.day / 1000)
    }
}


import Foundation
import StrataColumnar
import StrataCore
import StrataEmbedded
import StrataOnline
import StrataRedis
import StrataRegistry
import StrataTestSupport
import Testing

@Suite("Online store: Redis as the witness of what it holds, watermarks never past the present", .enabled(if: TestServices.enabled))
struct OnlineWitnessTests {
    static let day = OnlineFixture.microsPerDay
    static let project = OnlineFixture.project

    static func now() -> Int64 { Int64((Date().timeIntervalSince1970 * 1e6).rounded()) }

    func cli(_ fixture: OnlineFixture) -> [String: String] {
        ["STRATA_POSTGRES_URL": fixture.postgresURL, "STRATA_REDIS_URL": fixture.redisURL.absoluteString]
    }

    @Test func flushAllThenAnIncrementalRunRestoresEveryValue() throws {
        let server = try LocalRedis.start()
        defer { try? server.stop() }
        let fixture = try OnlineFixture(redisURL: server.url)
        try fixture.insertRandom(users: 300, seed: 21)
        let end = OnlineFixture.origin + 9 * Self.day
        try fixture.materializer().materializeIncremental(project: Self.project, end: OnlineFixture.origin + 4 * Self.day)
        try fixture.materializer().materializeIncremental(project: Self.project, end: end)
        let before = try fixture.dump()
        #expect(before.count > 250)

        _ = try fixture.redis.command("FLUSHALL")
        let report = try fixture.materializer().materializeIncremental(project: Self.project, end: end)
        #expect(report.views.map(\.view).sorted() == ["store_stats", "user_stats"])
        for view in report.views {
            #expect(view.start == nil, "\(view.view) is re-materialised from the beginning")
            #expect(view.redisLoss?.marker == nil)
            #expect(view.redisLoss?.description.contains("Redis holds no marker for feature view \(view.view)") == true)
            #expect(view.witnessed)
        }
        #expect(try fixture.dump() == before)
        #expect(try fixture.registry.watermark(project: Self.project, view: "user_stats") == end)

        let next = try fixture.materializer().materializeIncremental(project: Self.project, end: end)
        #expect(next.views.allSatisfy { $0.redisLoss == nil && $0.start == end && $0.written == 0 })
    }

    @Test func theCommandLineSaysWhenRedisLostAViewAndOnlineWarns() throws {
        let fixture = try OnlineFixture()
        try fixture.insertRandom(users: 50, seed: 22)
        let end = UTCTimestamp.format(OnlineFixture.origin + 9 * Self.day)
        let first = try StrataCLI.run(["materialize-incremental", "--end", end], environment: cli(fixture))
        #expect(first.status == 0, "\(first.stderr)")
        let lookup = ["online", "--features", "user_stats:clicks", "--entity", "user_id=1", "--at", end]
        let quiet = try StrataCLI.run(lookup, environment: cli(fixture))
        #expect(quiet.status == 0)
        #expect(!quiet.stderr.contains("warning"), "\(quiet.stderr)")
        #expect(quiet.stdout.contains("PRESENT"))

        _ = try fixture.redis.command("FLUSHDB")
        let warned = try StrataCLI.run(lookup, environment: cli(fixture))
        #expect(warned.status == 0)
        #expect(warned.stderr.contains("warning: Redis holds no marker for feature view user_stats"), "\(warned.stderr)")
        #expect(warned.stderr.contains("strata materialize-incremental"))
        #expect(warned.stdout.contains("NOT_FOUND"))

        let again = try StrataCLI.run(["materialize-incremental", "--end", end], environment: cli(fixture))
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stderr.contains("warning: Redis holds no marker for feature view user_stats"))
        #expect(again.stderr.contains("re-materialised feature view user_stats from the beginning"))
        #expect(again.stdout.contains("user_stats: ") && again.stdout.contains("[beginning, \(end)] (re-materialised: Redis had lost it)"))
        let restored = try StrataCLI.run(lookup, environment: cli(fixture))
        #expect(!restored.stderr.contains("warning"), "\(restored.stderr)")
        #expect(restored.stdout.contains("PRESENT"))
    }

    @Test func aFlushDuringARunIsAnErrorAndLeavesTheWatermark() throws {
        let fixture = try OnlineFixture()
        try fixture.insertRandom(users: 400, seed: 23)
        let end = OnlineFixture.origin + 9 * Self.day
        let other = try RedisConnection(url: fixture.redisURL)
        var flushed = false
        let error = #expect(throws: OnlineError.self) {
            try fixture.materializer(batchRows: 50).materializeIncremental(project: Self.project, end: end) { _, _, _ in
                if !flushed {
                    flushed = true
                    _ = try? other.command("FLUSHDB")
                }
            }
        }
        #expect(error?.code == .redisLostData)
        #expect(error?.message.contains("the watermarks were not advanced") == true)
        #expect(try fixture.registry.watermarks(project: Self.project).isEmpty)

        try fixture.materializer().materializeIncremental(project: Self.project, end: end)
        let other2 = try RedisConnection(url: RedisURL(try TestServices.shared.freshRedisURL()))
        try Materializer(registry: fixture.registry, redis: other2).materialize(project: Self.project, start: nil, end: end)
        #expect(try fixture.dump() == (try fixture.dump(other2)))
    }

    @Test func aWindowWithAStartCannotRepairALossAndTheNextIncrementalRunDoes() throws {
        let fixture = try OnlineFixture()
        try fixture.insertRandom(users: 200, seed: 24)
        let end = OnlineFixture.origin + 9 * Self.day
        try fixture.materializer().materializeIncremental(project: Self.project, end: end)
        let before = try fixture.dump()
        _ = try fixture.redis.command("FLUSHDB")
        let window = try fixture.materializer().materialize(
            project: Self.project, views: ["user_stats"], start: OnlineFixture.origin + 8 * Self.day, end: end)
        #expect(window.views.first?.redisLoss != nil)
        #expect(window.views.first?.witnessed == false)
        let repaired = try fixture.materializer().materializeIncremental(project: Self.project, end: end)
        #expect(repaired.views.allSatisfy { $0.start == nil && $0.redisLoss != nil })
        #expect(try fixture.dump() == before)
    }

    @Test func aFutureEndIsClampedToTheRunAndLaterRowsAreMaterialised() throws {
        let fixture = try OnlineFixture()
        let started = Self.now()
        try fixture.insert([.init(user: 1, ts: started - 3_600_000_000, created: started, clicks: 1)])
        let far = "2030-01-01T00:00:00Z"
        let first = try StrataCLI.run(["materialize-incremental", "--end", far], environment: cli(fixture))
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("--end \(far) is after the time of this run: materialised up to "), "\(first.stdout)")
        let mark = try #require(try fixture.registry.watermark(project: Self.project, view: "user_stats"))
        try #require(mark >= started && mark <= Self.now(), "the watermark passed the time of the run")

        // A row with an event time after the first run's: the watermark must not have skipped it.
        while Self.now() <= mark + 1 { usleep(100) }
        try fixture.insert([.init(user: 2, ts: mark + 1, created: mark + 1, clicks: 2)])
        let second = try fixture.materializer().materializeIncremental(project: Self.project, end: try #require(UTCTimestamp.parse(far)))
        #expect(second.isClamped)
        #expect(second.views.first { $0.view == "user_stats" }?.written == 1)
        let clicks = [FeatureReference(view: "user_stats", feature: "clicks")]
        let result = try fixture.store().onlineFeatures(clicks, entities: OnlineFixture.users([1, 2]))
        #expect(result.values[0] == Column(int64: [1, 2]))
        #expect(result.statuses(feature: 0).elementsEqual([.present, .present]))
    }

    @Test func everySkippedViewIsReportedWithItsReason() throws {
        let fixture = try OnlineFixture()
        try fixture.insertRandom(users: 20, seed: 25)
        let end = OnlineFixture.origin + 9 * Self.day
        try fixture.materializer().materializeIncremental(project: Self.project, end: end)
        let earlier = try fixture.materializer().materializeIncremental(project: Self.project, end: end - Self.day)
        #expect(earlier.views.isEmpty)
        #expect(earlier.skipped.map(\.view).sorted() == ["store_stats", "user_stats"])
        #expect(earlier.skipped.allSatisfy { $0.reason.contains("its watermark \(UTCTimestamp.format(end)) is already after --end") })

        let soon = Self.now() + Self.day
        let future = try fixture.materializer().materialize(project: Self.project, start: soon, end: soon + Self.day)
        #expect(future.views.isEmpty && future.skipped.count == 2)
        #expect(future.skipped.allSatisfy { $0.reason.contains("after the time of this run") })
        #expect(try fixture.registry.watermark(project: Self.project, view: "user_stats") == end)

        let printed = try StrataCLI.run(["materialize-incremental", "--end", UTCTimestamp.format(end - Self.day)], environment: cli(fixture))
        #expect(printed.status == 0)
        #expect(printed.stdout.contains("store_stats: skipped: its watermark"), "\(printed.stdout)")
        #expect(printed.stdout.contains("user_stats: skipped: its watermark"))
    }
}

import Foundation
import StrataColumnar
import StrataCore
import StrataOnline
import StrataPostgres
import StrataRedis
import StrataRegistry
import StrataTestSupport
import Testing

@Suite("apply across the registry and the online store", .enabled(if: TestServices.enabled))
struct OnlineApplyTests {
    static let day = OnlineFixture.microsPerDay
    static let project = OnlineFixture.project
    static let end = OnlineFixture.origin + 10 * OnlineFixture.microsPerDay
    static let unreachableRedis = "redis://127.0.0.1:1/0"

    /// The fixture's schema without the feature last_seen: a breaking change of user_stats.
    static let withoutLastSeen = OnlineFixture.schema().replacingOccurrences(
        of: "      - { name: last_seen, type: timestamp }\n", with: "")

    func materialized() throws -> OnlineFixture {
        let fixture = try OnlineFixture()
        try fixture.insertRandom(users: 150, seed: 41)
        try fixture.materializer().materializeIncremental(project: Self.project, end: Self.end)
        return fixture
    }

    func environment(_ fixture: OnlineFixture, redis: String? = nil) -> [String: String] {
        ["STRATA_POSTGRES_URL": fixture.postgresURL, "STRATA_REDIS_URL": redis ?? fixture.redisURL.absoluteString]
    }

    func write(_ schema: String, to fixture: OnlineFixture) throws {
        try schema.write(to: fixture.folder.appendingPathComponent("shop.yaml"), atomically: true, encoding: .utf8)
    }

    func features(_ fixture: OnlineFixture) throws -> [String] {
        try fixture.registry.repository(project: Self.project).featureView(named: "user_stats")?.features.map(\.name) ?? []
    }

    @Test func aBreakingChangeNeedsAllowBreakingAndNamesWhatBreaks() throws {
        let fixture = try materialized()
        let before = try fixture.dump()
        try write(Self.withoutLastSeen, to: fixture)
        let refused = try StrataCLI.run(["apply", fixture.folder.path], environment: environment(fixture))
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("feature_view user_stats: feature last_seen removed (breaking)"), "\(refused.stderr)")
        #expect(refused.stderr.contains("--allow-breaking"))
        #expect(try features(fixture).contains("last_seen"))
        #expect(try fixture.registry.watermark(project: Self.project, view: "user_stats") == Self.end)
        #expect(try fixture.dump() == before)

        let applied = try StrataCLI.run(["apply", "--allow-breaking", fixture.folder.path], environment: environment(fixture))
        #expect(applied.status == 0, "\(applied.stderr)")
        #expect(applied.stdout.contains("the values of feature view user_stats no longer match it"))
        #expect(applied.stdout.contains("online keys of feature view user_stats."))
        #expect(try !features(fixture).contains("last_seen"))
        #expect(try fixture.registry.watermark(project: Self.project, view: "user_stats") == nil)
        #expect(try fixture.registry.watermark(project: Self.project, view: "store_stats") == Self.end)
        #expect(try fixture.dump().keys.allSatisfy { $0.hasPrefix("s:shop:store_stats:") })
        #expect(try fixture.registry.pendingOnlineCleanups(project: Self.project).isEmpty)
    }

    /// Redis is down during apply: the registry change and the watermark reset commit, the deletion is
    /// recorded, the stale records read as NOT_FOUND, and the next materialisation deletes them first and
    /// then restores the view from the beginning.
    @Test func aFailedDeletionIsRecordedAndTheNextRunFinishesIt() throws {
        let fixture = try materialized()
        try write(Self.withoutLastSeen, to: fixture)
        let applied = try StrataCLI.run(
            ["apply", "--allow-breaking", fixture.folder.path], environment: environment(fixture, redis: Self.unreachableRedis))
        #expect(applied.status == 0, "\(applied.stderr)")
        #expect(applied.stderr.contains("warning: could not delete the online keys of feature view user_stats"), "\(applied.stderr)")
        #expect(applied.stderr.contains("the next apply, materialize or push deletes them"))
        #expect(try fixture.registry.watermark(project: Self.project, view: "user_stats") == nil)
        let pending = try fixture.registry.pendingOnlineCleanups(project: Self.project)
        #expect(pending.map(\.view) == ["user_stats"])
        #expect(pending.first?.attempts == 1)
        #expect(pending.first?.lastError?.contains("127.0.0.1:1") == true)

        let stale = try fixture.dump().keys.filter { $0.hasPrefix("s:shop:user_stats:") }
        #expect(stale.count > 100)
        let repository = try fixture.registry.repository(project: Self.project)
        let references = repository.featureView(named: "user_stats")!.features.map { FeatureReference(view: "user_stats", feature: $0.name) }
        let unreadable = try OnlineStore(redis: fixture.redis, repository: repository)
            .onlineFeatures(references, entities: OnlineFixture.users(Array(1...150)), at: Self.end)
        for f in references.indices { #expect(unreadable.statuses(feature: f).allSatisfy { $0 == .notFound }) }

        let report = try fixture.materializer().materializeIncremental(project: Self.project, end: Self.end)
        #expect(report.cleaned.map(\.view) == ["user_stats"])
        #expect(report.cleaned.first?.keys == stale.count)
        #expect(report.views.first { $0.view == "user_stats" }?.start == nil)
        #expect(report.views.first { $0.view == "store_stats" }?.start == Self.end)
        #expect(try fixture.registry.pendingOnlineCleanups(project: Self.project).isEmpty)
        let fresh = try RedisConnection(url: RedisURL(try TestServices.shared.freshRedisURL()))
        try Materializer(registry: fixture.registry, redis: fresh).materialize(project: Self.project, start: nil, end: Self.end)
        #expect(try fixture.dump() == (try fixture.dump(fresh)))
    }

    /// The order that main had (Redis keys first, then the registry transaction) lost every value when
    /// the transaction failed; now a failed transaction leaves both stores as they were.
    @Test func aFailingRegistryTransactionLeavesRedisAndTheWatermarks() throws {
        let fixture = try materialized()
        let before = try fixture.dump()
        try fixture.db.executeScript(
            """
            CREATE FUNCTION refuse_user_stats() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN IF NEW.name = 'user_stats' THEN RAISE EXCEPTION 'refusing %', NEW.name; END IF; RETURN NEW; END $$;
            CREATE TRIGGER refuse_user_stats BEFORE INSERT ON strata_objects FOR EACH ROW EXECUTE FUNCTION refuse_user_stats();
            """)
        try write(Self.withoutLastSeen, to: fixture)
        let failed = try StrataCLI.run(["apply", "--allow-breaking", fixture.folder.path], environment: environment(fixture))
        #expect(failed.status == 2)
        #expect(failed.stderr.contains("refusing user_stats"), "\(failed.stderr)")
        #expect(try fixture.dump() == before)
        #expect(try fixture.registry.watermark(project: Self.project, view: "user_stats") == Self.end)
        #expect(try fixture.registry.pendingOnlineCleanups(project: Self.project).isEmpty)
        let again = try fixture.materializer().materializeIncremental(project: Self.project, end: Self.end)
        #expect(again.views.allSatisfy { $0.redisLoss == nil && $0.start == Self.end })
    }

    @Test func planShowsTheOnlineResetsAnApplyWouldMake() throws {
        let fixture = try materialized()
        try write(Self.withoutLastSeen.replacingOccurrences(of: "ttl: 0", with: "ttl: 2d"), to: fixture)
        let planned = try StrataCLI.run(["plan", "--json", fixture.folder.path], environment: environment(fixture))
        #expect(planned.status == 0, "\(planned.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(planned.stdout.utf8)) as? [String: Any]
        #expect(json?["online_resets"] as? [String] == ["user_stats"])
        #expect(json?["breaking"] as? Bool == true)
    }
}

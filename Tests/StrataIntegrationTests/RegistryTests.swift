import Foundation
import StrataCore
import StrataPostgres
import StrataRegistry
import StrataTestSupport
import Testing

/// A fresh database with the source tables of `RegistryFixture.schema`, and a folder for schema files.
struct RegistryFixture {
    let url: String
    let folder: URL

    static let schema = """
        project: shop
        entities:
          - name: user
            join_key: user_id
            type: int64
        sources:
          - name: user_stats
            table: user_stats
            timestamp: ts
            created_timestamp: created
        feature_views:
          - name: user_stats
            entities: [user]
            source: user_stats
            ttl: 2d
            features:
              - { name: clicks, type: int64 }
              - { name: spend, type: float64 }
        feature_services:
          - name: scoring
            features: [user_stats:clicks, user_stats:spend]
        """

    init() throws {
        url = try TestServices.shared.freshDatabaseURL()
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("strata-schema-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let db = try PostgresConnection(url: url)
        try db.execute(
            "CREATE TABLE user_stats (user_id bigint, ts timestamptz, created timestamptz, clicks bigint, spend double precision, note text)")
        try write(Self.schema)
    }

    func write(_ text: String, file: String = "shop.yaml") throws {
        try text.write(to: folder.appendingPathComponent(file), atomically: true, encoding: .utf8)
    }

    func load() throws -> Repository { try SchemaLoader.load(directory: folder.path) }

    func registry() throws -> Registry { try Registry(connection: try PostgresConnection(url: url)) }
}

@Suite("Registry: migrations, plan and apply against a real PostgreSQL")
struct RegistryTests {
    @Test func migrationsApplyOnceAndRecordEachVersion() throws {
        let url = try TestServices.shared.freshDatabaseURL()
        let db = try PostgresConnection(url: url)
        let first = try Migrator.migrate(db)
        #expect(!first.isEmpty)
        #expect(try Migrator.migrate(db).isEmpty)
        #expect(try Migrator.appliedVersions(db) == first)
    }

    @Test func concurrentMigrationsNeverApplyTwice() throws {
        let url = try TestServices.shared.freshDatabaseURL()
        let results = ResultsBox()
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            do {
                let db = try PostgresConnection(url: url)
                results.append(.success(try Migrator.migrate(db)))
            } catch {
                results.append(.failure(error))
            }
        }
        let applied = try results.values.map { try $0.get() }
        #expect(applied.count == 4)
        #expect(applied.filter { !$0.isEmpty }.count == 1)
        let db = try PostgresConnection(url: url)
        let rows = try db.execute("SELECT count(*), count(DISTINCT version) FROM strata_migrations")
        #expect(rows.int(0, 0) == rows.int(0, 1))
    }

    @Test func applyThenPlanReportsNoChangesAndRoundTrips() throws {
        let fixture = try RegistryFixture()
        let registry = try fixture.registry()
        let repository = try fixture.load()
        let plan = try registry.apply(repository)
        #expect(plan.changes.map(\.action) == Array(repeating: .added, count: 4))
        #expect(try registry.plan(repository).isEmpty)
        #expect(try registry.apply(repository).isEmpty)
        var stored = try registry.repository(project: "shop")
        stored.locations = repository.locations
        #expect(stored == repository)
        let applies = try registry.connection.execute("SELECT count(*) FROM strata_applies")
        #expect(applies.int(0, 0) == 1)
    }

    @Test func planMarksTypeChangesAndRemovedFeaturesBreaking() throws {
        let fixture = try RegistryFixture()
        let registry = try fixture.registry()
        try registry.apply(try fixture.load())
        try fixture.write(
            RegistryFixture.schema
                .replacingOccurrences(of: "{ name: clicks, type: int64 }", with: "{ name: clicks, type: float64 }")
                .replacingOccurrences(of: "      - { name: spend, type: float64 }\n", with: "")
                .replacingOccurrences(of: "ttl: 2d", with: "ttl: 1d")
                .replacingOccurrences(of: "[user_stats:clicks, user_stats:spend]", with: "[user_stats:clicks]"))
        let plan = try registry.plan(try fixture.load())
        let view = try #require(plan.changes.first { $0.kind == .featureView })
        #expect(view.action == .changed)
        #expect(view.breaking)
        #expect(view.fromVersion == 1 && view.toVersion == 2)
        #expect(view.details.contains("feature clicks: int64 -> float64 (breaking)"))
        #expect(view.details.contains("feature spend removed (breaking)"))
        #expect(view.details.contains("ttl: 2d -> 1d"))
        let service = try #require(plan.changes.first { $0.kind == .featureService })
        #expect(service.breaking)
        #expect(!plan.changes.contains { $0.kind == .entity })
    }

    @Test func addingIsNotBreakingAndRemovalKeepsHistory() throws {
        let fixture = try RegistryFixture()
        let registry = try fixture.registry()
        try registry.apply(try fixture.load())
        let withNote = RegistryFixture.schema.replacingOccurrences(
            of: "      - { name: spend, type: float64 }\n",
            with: "      - { name: spend, type: float64 }\n      - { name: note, type: string }\n")
        try fixture.write(withNote)
        let added = try registry.apply(try fixture.load())
        #expect(added.changes.count == 1)
        #expect(!added.hasBreakingChanges)
        #expect(added.changes[0].details.contains("feature note added: string"))

        let withoutService = withNote.components(separatedBy: "feature_services:")[0]
        try fixture.write(withoutService)
        let refused = #expect(throws: RegistryError.self) { try registry.apply(try fixture.load()) }
        #expect(refused?.code == .breakingChange)
        #expect(refused?.message.contains("feature_service scoring: removed") == true)
        #expect(try registry.repository(project: "shop").featureServices.count == 1)
        let removed = try registry.apply(try fixture.load(), allowBreaking: true)
        #expect(removed.changes.map(\.action) == [.removed])
        #expect(removed.changes[0].breaking)
        #expect(try registry.repository(project: "shop").featureServices.isEmpty)
        let history = try registry.history(project: "shop", kind: .featureService, name: "scoring")
        #expect(history.map(\.version) == [1, 2])
        #expect(history.map(\.removed) == [false, true])
        let views = try registry.history(project: "shop", kind: .featureView, name: "user_stats")
        #expect(views.map(\.version) == [1, 2])
        #expect(views[0].contentHash != views[1].contentHash)

        try fixture.write(withNote)
        let restored = try registry.apply(try fixture.load())
        let service = try #require(restored.changes.first { $0.kind == .featureService })
        #expect(service.action == .added && service.toVersion == 3)
    }

    @Test func aFailingApplyLeavesTheRegistryAsItWas() throws {
        let fixture = try RegistryFixture()
        let registry = try fixture.registry()
        try registry.apply(try fixture.load())
        let before = try registry.connection.execute("SELECT count(*) FROM strata_objects").int(0, 0)
        try registry.connection.executeScript(
            """
            CREATE FUNCTION refuse_boom() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN IF NEW.name = 'boom' THEN RAISE EXCEPTION 'refusing %', NEW.name; END IF; RETURN NEW; END $$;
            CREATE TRIGGER refuse_boom BEFORE INSERT ON strata_objects FOR EACH ROW EXECUTE FUNCTION refuse_boom();
            """)
        try fixture.write(
            RegistryFixture.schema
                .replacingOccurrences(of: "ttl: 2d", with: "ttl: 3d")
                + "\n  - name: boom\n    features: [user_stats:clicks]\n")
        #expect(throws: PostgresError.self) { try registry.apply(try fixture.load()) }
        let after = try registry.connection.execute("SELECT count(*) FROM strata_objects").int(0, 0)
        #expect(before == after)
        #expect(try registry.repository(project: "shop").featureView(named: "user_stats")?.ttlSeconds == 2 * 86_400)
        #expect(try registry.connection.execute("SELECT count(*) FROM strata_applies").int(0, 0) == 1)
    }

    @Test func sourceCheckerPointsAtTheSchemaFile() throws {
        let fixture = try RegistryFixture()
        try fixture.write(
            RegistryFixture.schema
                .replacingOccurrences(of: "table: user_stats", with: "table: user_statz")
                + "\n")
        let missingTable = try SourceChecker.check(try fixture.load(), connection: PostgresConnection(url: fixture.url))
        #expect(missingTable.count == 1)
        #expect(missingTable[0].code == .unknownReference)
        #expect(missingTable[0].message.contains("user_statz"))
        #expect(missingTable[0].location?.line == 8)

        try fixture.write(
            RegistryFixture.schema
                .replacingOccurrences(of: "{ name: spend, type: float64 }", with: "{ name: spent, type: float64 }")
                .replacingOccurrences(of: "{ name: clicks, type: int64 }", with: "{ name: clicks, type: bool }")
                .replacingOccurrences(of: "user_stats:spend", with: "user_stats:spent"))
        let problems = try SourceChecker.check(try fixture.load(), connection: PostgresConnection(url: fixture.url))
        #expect(problems.count == 2)
        let wrongType = try #require(problems.first { $0.code == .wrongType })
        #expect(wrongType.message.contains("clicks"))
        #expect(wrongType.message.contains("int8"))
        #expect(wrongType.location?.line == 17)
        let missingColumn = try #require(problems.first { $0.code == .unknownReference })
        #expect(missingColumn.message.contains("spent"))
        #expect(missingColumn.location?.line == 18)
        #expect(missingColumn.location?.file.hasSuffix("shop.yaml") == true)
    }

    @Test func indexAdviceNamesTheMissingIndexUntilItExists() throws {
        let fixture = try RegistryFixture()
        let db = try PostgresConnection(url: fixture.url)
        let advice = try SourceChecker.indexAdvice(for: try fixture.load(), connection: db)
        #expect(advice.count == 1)
        #expect(advice[0].contains("CREATE INDEX ON \"user_stats\" (\"user_id\", \"ts\")"))
        try db.execute("CREATE INDEX ON user_stats (user_id, ts)")
        #expect(try SourceChecker.indexAdvice(for: try fixture.load(), connection: db).isEmpty)
    }
}

final class ResultsBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [Result<[Int], Error>] = []

    func append(_ value: Result<[Int], Error>) {
        lock.lock()
        stored.append(value)
        lock.unlock()
    }

    var values: [Result<[Int], Error>] {
        lock.lock()
        defer { lock.unlock() }
        return stored
    }
}

@Suite("plan and apply from the command line")
struct RegistryCLITests {
    @Test func applyThenPlanReportsNoChangesAndASchemaErrorExitsTwo() throws {
        let fixture = try RegistryFixture()
        let environment = ["STRATA_POSTGRES_URL": fixture.url, "STRATA_REDIS_URL": "redis://127.0.0.1:1/0"]
        let applied = try StrataCLI.run(["apply", fixture.folder.path], environment: environment)
        #expect(applied.status == 0, "\(applied.stderr)")
        let planned = try StrataCLI.run(["plan", fixture.folder.path], environment: environment)
        #expect(planned.status == 0)
        #expect(planned.stdout.contains("No changes"))

        try fixture.write(RegistryFixture.schema.replacingOccurrences(of: "type: int64 }", with: "type: int65 }"))
        let broken = try StrataCLI.run(["plan", fixture.folder.path], environment: environment)
        #expect(broken.status == 2)
        #expect(broken.stderr.contains("shop.yaml:17:"))
        #expect(broken.stderr.contains("int65"))
    }
}

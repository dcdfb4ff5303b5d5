import Foundation
import StrataColumnar
import StrataCore
import StrataOffline
import StrataPostgres
import StrataRegistry
import StrataTestSupport
import Testing

/// A registered project with a string-keyed and an int-keyed view, and a folder for files.
struct TrainingSetFixture {
    let url: String
    let registry: Registry
    let folder: URL

    static let schema = """
        project: shop
        entities:
          - { name: user, join_key: user_id, type: int64 }
          - { name: store, join_key: store_code, type: string }
        sources:
          - { name: user_events, table: user_events, timestamp: ts, created_timestamp: created }
          - { name: store_stats, table: store_stats, timestamp: ts }
        feature_views:
          - name: user_stats
            entities: [user]
            source: user_events
            ttl: 1d
            features:
              - { name: clicks, type: int64 }
              - { name: note, type: string }
          - name: store_stats
            entities: [store]
            source: store_stats
            ttl: 0
            features:
              - { name: rating, type: float64 }
        feature_services:
          - name: scoring
            features: [store_stats:rating, user_stats:clicks, user_stats:note]
        """

    init() throws {
        url = try TestServices.shared.freshDatabaseURL()
        let db = try PostgresConnection(url: url)
        try db.executeScript(
            """
            CREATE TABLE user_events (user_id bigint, ts timestamptz, created timestamptz, clicks bigint, note text);
            CREATE TABLE store_stats (store_code text, ts timestamptz, rating double precision);
            INSERT INTO user_events VALUES
                (1, '2026-01-01 10:00+00', '2026-01-01 10:00+00', 5, 'a,b'),
                (1, '2026-01-01 12:00+00', '2026-01-01 12:01+00', 7, 'first'),
                (1, '2026-01-01 12:00+00', '2026-01-01 12:05+00', NULL, 'later created wins'),
                (2, '2026-01-01 09:00+00', '2026-01-01 09:00+00', 3, '');
            INSERT INTO store_stats VALUES ('s1', '2026-01-01 00:00+00', 4.5), ('s2', '2026-01-02 00:00+00', 3.25);
            CREATE TABLE spine (user_id bigint, store_code text, event_timestamp timestamptz, label int);
            INSERT INTO spine VALUES
                (1, 's1', '2026-01-01 12:00+00', 1),
                (1, 's2', '2026-01-01 11:00+00', 0),
                (2, 's1', '2026-01-02 08:00+00', 1),
                (3, 's9', '2025-12-31 00:00+00', 0),
                (1, 's1', '2026-01-01 12:00+00', 1);
            """)
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("strata-ts-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Self.schema.write(to: folder.appendingPathComponent("shop.yaml"), atomically: true, encoding: .utf8)
        registry = try Registry(connection: db)
        try registry.apply(try SchemaLoader.load(directory: folder.path))
    }

    func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    func build(_ spine: String = "spine", strategy: JoinStrategy = .automatic) throws -> TrainingSet {
        try TrainingSetBuilder(registry: registry, strategy: strategy)
            .build(TrainingSetRequest(features: .service("scoring"), spine: SpineSource(argument: spine)))
    }

    var cli: [String: String] { ["STRATA_POSTGRES_URL": url, "STRATA_REDIS_URL": "redis://127.0.0.1:1/0"] }
}

@Suite("Training sets: outputs, saved sets and bad input, against a real PostgreSQL")
struct TrainingSetTests {
    static let expectedCSV = """
        user_id,store_code,event_timestamp,label,store_stats__rating,user_stats__clicks,user_stats__note
        1,s1,2026-01-01T12:00:00Z,1,4.5,,later created wins
        1,s2,2026-01-01T11:00:00Z,0,,5,"a,b"
        2,s1,2026-01-02T08:00:00Z,1,4.5,3,""
        3,s9,2025-12-31T00:00:00Z,0,,,
        1,s1,2026-01-01T12:00:00Z,1,4.5,,later created wins

        """

    @Test func csvOutputFollowsTheContract() throws {
        let fixture = try TrainingSetFixture()
        let set = try fixture.build()
        #expect(set.lineage.rowCount == 5)
        #expect(set.lineage.features == ["store_stats:rating", "user_stats:clicks", "user_stats:note"])
        #expect(set.lineage.viewVersions == ["store_stats": 1, "user_stats": 1])
        try TrainingSetOutput(argument: fixture.path("out.csv")).write(set.frame, connection: nil)
        #expect(try String(contentsOfFile: fixture.path("out.csv"), encoding: .utf8) == Self.expectedCSV)
    }

    @Test func aCSVSpineGivesTheSameRows() throws {
        let fixture = try TrainingSetFixture()
        try """
            user_id,store_code,event_timestamp,label
            1,s1,2026-01-01T12:00:00Z,1
            1,s2,2026-01-01 11:00:00+00,0
            2,s1,2026-01-02T08:00:00Z,1
            3,s9,2025-12-31,0
            1,s1,2026-01-01T13:00:00+01:00,1
            """.write(toFile: fixture.path("spine.csv"), atomically: true, encoding: .utf8)
        let set = try fixture.build(fixture.path("spine.csv"))
        try TrainingSetOutput(argument: fixture.path("out.csv")).write(set.frame, connection: nil)
        #expect(try String(contentsOfFile: fixture.path("out.csv"), encoding: .utf8) == Self.expectedCSV)
    }

    @Test func tableOutputIsAllOrNothing() throws {
        let fixture = try TrainingSetFixture()
        let set = try fixture.build()
        let db = fixture.registry.connection
        try TrainingSetOutput(argument: "pg:result").write(set.frame, connection: db)
        let rows = try db.execute("SELECT user_id, store_stats__rating, user_stats__clicks, user_stats__note FROM result")
        #expect(rows.rows == [["1", "4.5", nil, "later created wins"], ["1", nil, "5", "a,b"], ["2", "4.5", "3", ""], ["3", nil, nil, nil], ["1", "4.5", nil, "later created wins"]])
        let error = try #require(throws: OfflineError.self) {
            try TrainingSetOutput(argument: "pg:result").write(set.frame, connection: db)
        }
        #expect(error.message.contains("already exists"))
        #expect(try db.execute("SELECT count(*) FROM result").int(0, 0) == 5)
    }

    @Test func aSavedSetComesBackIdenticalAfterNewDataArrives() throws {
        let fixture = try TrainingSetFixture()
        let saved = SavedTrainingSets(registry: fixture.registry)
        let original = try fixture.build()
        try saved.save(original, name: "v1")
        #expect(throws: OfflineError.self) { try saved.save(original, name: "v1") }
        try fixture.registry.connection.execute(
            "INSERT INTO user_events VALUES (1, '2026-01-01 10:30+00', '2026-01-01 10:30+00', 99, 'new')")
        let rebuilt = try fixture.build()
        #expect(rebuilt.frame["user_stats__clicks"]! != original.frame["user_stats__clicks"]!)
        let loaded = try saved.load(name: "v1")
        #expect(loaded.frame.names == original.frame.names)
        #expect(loaded.frame.columns == original.frame.columns)
        #expect(loaded.lineage == original.lineage)
        #expect(try saved.list(project: "shop").map(\.name) == ["v1"])
        #expect(throws: OfflineError.self) { try saved.load(name: "missing") }
    }

    @Test func theCLIWritesSavesAndFetchesAgain() throws {
        let fixture = try TrainingSetFixture()
        let first = try StrataCLI.run(
            ["training-set", "--service", "scoring", "--spine", "SELECT * FROM spine", "--output", fixture.path("a.csv"), "--save", "s1"],
            environment: fixture.cli)
        #expect(first.status == 0, "\(first.stderr)")
        let again = try StrataCLI.run(["training-set", "--saved", "s1", "--output", fixture.path("b.csv")], environment: fixture.cli)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try String(contentsOfFile: fixture.path("a.csv"), encoding: .utf8) == Self.expectedCSV)
        #expect(try String(contentsOfFile: fixture.path("b.csv"), encoding: .utf8) == Self.expectedCSV)
    }

    /// With the user events partitioned by day of their event time, every strategy and `--parallel` count
    /// writes the contract's rows; over 2 connections the extraction strategies read the partitions at once.
    @Test func aPartitionedSourceReadInParallelGivesTheSameRows() throws {
        let fixture = try TrainingSetFixture()
        try fixture.registry.connection.executeScript(
            """
            ALTER TABLE user_events RENAME TO user_events_plain;
            CREATE TABLE user_events (LIKE user_events_plain) PARTITION BY RANGE (ts);
            CREATE TABLE user_events_before PARTITION OF user_events FOR VALUES FROM (MINVALUE) TO ('2026-01-01 11:00+00');
            CREATE TABLE user_events_after PARTITION OF user_events FOR VALUES FROM ('2026-01-01 11:00+00') TO (MAXVALUE);
            INSERT INTO user_events SELECT * FROM user_events_plain;
            DROP TABLE user_events_plain;
            """)
        for strategy in ["extraction", "sort-merge", "lateral", "automatic"] {
            for parallel in ["1", "2", "auto"] {
                let output = fixture.path("\(strategy)-\(parallel).csv")
                let outcome = try StrataCLI.run(
                    ["training-set", "--service", "scoring", "--spine", "spine", "--output", output, "--strategy", strategy,
                     "--parallel", parallel],
                    environment: fixture.cli)
                #expect(outcome.status == 0, "\(strategy) ×\(parallel): \(outcome.stderr)")
                #expect(try String(contentsOfFile: output, encoding: .utf8) == Self.expectedCSV, "\(strategy) ×\(parallel)")
            }
        }
        let help = try StrataCLI.run(["training-set", "--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("--parallel <n|auto>"), "\(help.stdout)")
    }

    /// `--save` and the output are all or nothing: here another session saves the same name first and holds its
    /// transaction open, so the command's save waits and then fails; neither the output nor a saved set remains.
    @Test(arguments: ["csv", "table"])
    func aSaveThatFailsLeavesNoOutput(output kind: String) throws {
        let fixture = try TrainingSetFixture()
        let other = try PostgresConnection(url: fixture.url)
        try other.execute("BEGIN")
        try other.execute(
            "INSERT INTO strata_saved_sets (project, name, lineage, columns, data_table) VALUES ('shop', 's1', '{}', '[]', 'held_elsewhere')")
        let output = kind == "csv" ? fixture.path("out.csv") : "pg:out"
        let running = try StrataCLI.start(
            ["training-set", "--service", "scoring", "--spine", "spine", "--output", output, "--save", "s1"], environment: fixture.cli)
        do {
            try Waiting.untilSessionsWaitForLocks(1, on: fixture.registry.connection)
        } catch {
            Issue.record(error)
        }
        try other.execute("COMMIT")
        let outcome = running.wait()
        #expect(outcome.status == 2, "\(outcome.stderr)")
        #expect(outcome.stderr.contains("already saved"), "\(outcome.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.folder.path).sorted() == ["shop.yaml"])
        let db = fixture.registry.connection
        #expect(try db.execute("SELECT to_regclass('out') IS NULL").bool(0, 0) == true)
        #expect(try db.execute("SELECT count(*) FROM strata_saved_sets").int(0, 0) == 1)
        #expect(try db.execute("SELECT count(*) FROM pg_tables WHERE tablename ~ '^strata_saved_set_[0-9]+$'").int(0, 0) == 0)
    }

    @Test func aSavedTableOutputIsWrittenWithItsSave() throws {
        let fixture = try TrainingSetFixture()
        let outcome = try StrataCLI.run(
            ["training-set", "--service", "scoring", "--spine", "spine", "--output", "pg:out", "--save", "s1"], environment: fixture.cli)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(try fixture.registry.connection.execute("SELECT count(*) FROM out").int(0, 0) == 5)
        #expect(try SavedTrainingSets(registry: fixture.registry).load(name: "s1").frame.rowCount == 5)
    }

    @Test(arguments: [
        (["--features", "nope:clicks"], "unknown feature view 'nope'"),
        (["--features", "user_stats:nope"], "has no feature 'nope'"),
        (["--features", "user_stats"], "not a feature reference"),
        (["--service", "missing"], "unknown feature service 'missing'"),
        (["--service", "scoring", "--spine", "SELECT user_id, store_code FROM spine"], "no event_timestamp column"),
        (["--service", "scoring", "--spine", "SELECT user_id, event_timestamp FROM spine"], "no join-key column store_code"),
        (["--service", "scoring", "--spine", "SELECT user_id::text, store_code, event_timestamp FROM spine"], "join key user_id is text"),
        (["--service", "scoring", "--spine", "SELECT no_such_column FROM spine"], "no_such_column"),
        (["--service", "scoring", "--spine", "missing_table"], "missing_table"),
        (["--service", "scoring", "--strategy", "magic"], "--strategy"),
        (["--service", "scoring", "--parallel", "0"], "--parallel must be auto or a count from 1 to 64, got '0'"),
        (["--service", "scoring", "--parallel", "many"], "--parallel must be auto or a count from 1 to 64, got 'many'"),
    ])
    func badInputExitsTwoAndWritesNothing(arguments: [String], message: String) throws {
        let fixture = try TrainingSetFixture()
        var full = ["training-set", "--output", fixture.path("out.csv")] + arguments
        if !arguments.contains("--spine") { full += ["--spine", "spine"] }
        let outcome = try StrataCLI.run(full, environment: fixture.cli)
        #expect(outcome.status == 2, "\(outcome.stderr)")
        #expect(outcome.stderr.contains(message), "\(outcome.stderr)")
        #expect(!FileManager.default.fileExists(atPath: fixture.path("out.csv")))
    }

    @Test func aBadCSVSpineNamesTheLine() throws {
        let fixture = try TrainingSetFixture()
        try "user_id,store_code,event_timestamp\n1,s1,2026-01-01T00:00:00Z\nx,s1,2026-01-01T00:00:00Z\n"
            .write(toFile: fixture.path("spine.csv"), atomically: true, encoding: .utf8)
        let error = try #require(throws: OfflineError.self) { try fixture.build(fixture.path("spine.csv")) }
        #expect(error.message.contains("spine.csv:3"))
        #expect(error.message.contains("'x' is not an int64"))
        try "user_id,store_code,event_timestamp\n1,s1,yesterday\n".write(toFile: fixture.path("spine2.csv"), atomically: true, encoding: .utf8)
        let timeError = try #require(throws: OfflineError.self) { try fixture.build(fixture.path("spine2.csv")) }
        #expect(timeError.message.contains("spine2.csv:2"))
    }

    @Test func anUnreachableServerExitsThreeWithoutThePassword() throws {
        let outcome = try StrataCLI.run(
            ["training-set", "--service", "s", "--spine", "t", "--output", "/tmp/never.csv", "--postgres", "postgresql://u:hunter2@127.0.0.1:1/db"])
        #expect(outcome.status == 3)
        #expect(outcome.stderr.contains("127.0.0.1:1"))
        #expect(!outcome.stderr.contains("hunter2"))
    }
}

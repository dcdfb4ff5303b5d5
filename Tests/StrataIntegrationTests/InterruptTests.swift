import Foundation
import StrataPostgres
import StrataRegistry
import StrataTestSupport
import Testing

/// Ctrl-C and SIGTERM sent to a running `strata`: it exits 130 or 143, leaves no partial file, and commits nothing.
/// Each command is held at a known point by a lock this test holds, then interrupted there.
@Suite("Interrupting strata", .enabled(if: TestServices.enabled))
struct InterruptTests {
    /// The files of `folder` other than the schema.
    static func leftovers(_ folder: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0 != "shop.yaml" }.sorted()
    }

    /// A lock on `table` in a session of its own, taken until `release`.
    static func hold(_ table: String, url: String) throws -> PostgresConnection {
        let blocker = try PostgresConnection(url: url)
        try blocker.execute("BEGIN")
        try blocker.execute("LOCK TABLE \(table) IN EXCLUSIVE MODE")
        return blocker
    }

    /// Interrupted while its saved set waits to commit, `training-set --save` leaves neither the finished
    /// CSV file written beside the output nor the output itself.
    @Test(arguments: [(SIGINT, Int32(130)), (SIGTERM, Int32(143))])
    func trainingSetInterruptedBeforeItsSaveCommits(signal: Int32, status: Int32) throws {
        let fixture = try TrainingSetFixture()
        let blocker = try Self.hold("strata_saved_sets", url: fixture.url)
        let running = try StrataCLI.start(
            ["training-set", "--service", "scoring", "--spine", "spine", "--output", fixture.path("out.csv"), "--save", "s1"],
            environment: fixture.cli)
        try Waiting.untilSessionsWaitForLocks(1, on: fixture.registry.connection)
        #expect(try Self.leftovers(fixture.folder).contains { $0.hasPrefix("out.csv.partial-") })
        running.send(signal)
        let outcome = running.wait(killingAfter: 60)
        try blocker.execute("COMMIT")
        #expect(!outcome.killedBySignal && outcome.status == status, "\(outcome.status) \(outcome.stderr)")
        #expect(outcome.stderr.contains("interrupted"), "\(outcome.stderr)")
        #expect(try Self.leftovers(fixture.folder) == [])
        #expect(try fixture.registry.connection.execute("SELECT count(*) FROM strata_saved_sets").int(0, 0) == 0)
    }

    /// Interrupted while it writes a large CSV file, `training-set` removes the partial file.
    @Test func trainingSetInterruptedWhileWritingItsOutput() throws {
        let fixture = try TrainingSetFixture()
        try fixture.registry.connection.execute(
            """
            CREATE TABLE big_spine AS
            SELECT 1 + i % 3 AS user_id, 's' || (1 + i % 2) AS store_code,
                   '2026-01-01 12:00+00'::timestamptz + i * interval '1 second' AS event_timestamp,
                   repeat('x', 200) AS padding
            FROM generate_series(1, 100000) i
            """)
        let running = try StrataCLI.start(
            ["training-set", "--service", "scoring", "--spine", "big_spine", "--output", fixture.path("out.csv")], environment: fixture.cli)
        try Waiting.until("the partial output file", seconds: 120) {
            try !running.isRunning || Self.leftovers(fixture.folder).contains { $0.hasPrefix("out.csv.partial-") }
        }
        running.send(SIGINT)
        let outcome = running.wait(killingAfter: 60)
        #expect(!outcome.killedBySignal && outcome.status == 130, "\(outcome.status) \(outcome.stderr)")
        #expect(try Self.leftovers(fixture.folder) == [])
    }

    /// SIGTERM while `train` waits to register: exit 143, no model version and no lineage set.
    @Test func trainInterruptedBeforeItRegisters() throws {
        let fixture = try ModelRegistryTests.learnableFixture()
        let blocker = try Self.hold("strata_saved_sets", url: fixture.url)
        let running = try StrataCLI.start(ModelRegistryTests.trainArguments("halted"), environment: fixture.cli)
        try Waiting.untilSessionsWaitForLocks(1, on: fixture.registry.connection, seconds: 120)
        running.send(SIGTERM)
        let outcome = running.wait(killingAfter: 60)
        try blocker.execute("COMMIT")
        #expect(!outcome.killedBySignal && outcome.status == 143, "\(outcome.status) \(outcome.stderr)")
        #expect(try ModelStore(registry: fixture.registry).list().isEmpty)
        #expect(try SavedTrainingSetsCount.of(fixture) == 0)
        #expect(try Self.leftovers(fixture.folder) == [])
    }

    /// Ctrl-C while `materialize` waits to move its watermarks: exit 130 and the watermark stays unset.
    @Test func materializeInterruptedBeforeItsWatermarkMoves() throws {
        let fixture = try OnlineFixture()
        try fixture.insertRandom(users: 50, seed: 4)
        let blocker = try Self.hold("strata_watermarks", url: fixture.postgresURL)
        let running = try StrataCLI.start(
            ["materialize", "--start", "2025-01-01T00:00:00Z", "--end", "2026-02-01T00:00:00Z"],
            environment: ["STRATA_POSTGRES_URL": fixture.postgresURL, "STRATA_REDIS_URL": fixture.redisURL.absoluteString])
        try Waiting.untilSessionsWaitForLocks(1, on: fixture.db)
        running.send(SIGINT)
        let outcome = running.wait(killingAfter: 60)
        try blocker.execute("COMMIT")
        #expect(!outcome.killedBySignal && outcome.status == 130, "\(outcome.status) \(outcome.stderr)")
        #expect(try fixture.registry.watermarks(project: OnlineFixture.project).isEmpty)
    }
}

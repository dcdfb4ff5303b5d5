import Foundation
import StrataEmbedded
import StrataPostgres
import StrataTestSupport
import Testing

extension FaultMatrix {
    /// PostgreSQL restarted while `strata training-set` runs: exit 3, and neither a partial output (CSV file or
    /// table) nor a half-saved training set.
    @Suite("PostgreSQL restarted during training-set")
    struct PostgresRestart {
        /// Where the restart meets the command; each is held there by a lock a test session takes.
        enum Phase: String, CustomStringConvertible, CaseIterable {
            /// Reading a feature view's source (held by a lock on `visits`), before any output exists.
            case readingSources
            /// A CSV output written in full beside its path, its saved set waiting to commit (held by a lock on
            /// the saved sets' table).
            case savingBesideACSVFile
            /// Inside the one transaction that saves the set and fills a `pg:` table, at the table's creation
            /// (held by an uncommitted table of the same name in the test's session).
            case savingWithATable
            /// Inside the transaction that creates and fills a `pg:` table, without saving.
            case writingATable

            var description: String { rawValue }

            var arguments: [String] {
                switch self {
                case .readingSources: ["--output", "out.csv"]
                case .savingBesideACSVFile: ["--output", "out.csv", "--save", "kept"]
                case .savingWithATable: ["--output", "pg:out_table", "--save", "kept"]
                case .writingATable: ["--output", "pg:out_table"]
                }
            }

            /// Takes the lock that holds the command at this phase.
            func hold(_ stores: FaultStores) throws -> PostgresConnection {
                switch self {
                case .readingSources: return try stores.hold("visits")
                case .savingBesideACSVFile: return try stores.hold("strata_saved_sets", mode: "EXCLUSIVE")
                case .savingWithATable, .writingATable:
                    let blocker = try PostgresConnection(url: stores.postgresURL)
                    try blocker.execute("BEGIN")
                    try blocker.execute("CREATE TABLE out_table (held integer)")
                    return blocker
                }
            }
        }

        /// One PostgreSQL of the test's own, restarted once per phase.
        @Test func restartedDuringATrainingSet() throws {
            let services = try TemporaryServices.start()
            defer { try? services.stop() }
            var postgres = services.postgres
            defer { try? postgres.stop() }
            let stores = try FaultStores(postgresURL: postgres.url, redisURL: services.redis.url)

            for phase in Phase.allCases {
                let blocker = try phase.hold(stores)
                let running = try stores.start(["training-set", "--service", "scoring", "--spine", "spine"] + phase.arguments)
                try Waiting.untilSessionsWaitForLocks(1, on: try PostgresConnection(url: postgres.url), seconds: 120)
                if phase == .savingBesideACSVFile {
                    #expect(try stores.outputs().contains { $0.hasPrefix("out.csv.partial-") }, "the file waits beside its path")
                }
                try postgres.stop()
                postgres = try LocalPostgres.start(
                    directory: postgres.directory, port: postgres.port, database: postgres.database, password: postgres.password)
                // The restart ended the blocker's session too; using it here keeps it open until then.
                #expect(throws: PostgresError.self) { try blocker.execute("ROLLBACK") }
                let outcome = running.wait()

                #expect(outcome.status == 3, "\(phase): \(outcome.stderr)")
                #expect(outcome.stderr.contains("PostgreSQL"), "\(phase): \(outcome.stderr)")
                #expect(!outcome.stderr.contains(postgres.password), "the message hides the password")
                #expect(try stores.outputs() == [], "\(phase): no output file, finished or partial")
                let db = try PostgresConnection(url: postgres.url)
                #expect(try db.execute("SELECT count(*) FROM strata_saved_sets").int(0, 0) == 0, "\(phase): no saved set")
                let tables = try db.execute(
                    "SELECT count(*) FROM pg_tables WHERE tablename = 'out_table' OR tablename LIKE 'strata\\_saved\\_set\\_%'")
                #expect(tables.int(0, 0) == 0, "\(phase): no output table and no saved set's rows")
            }

            // The restarts left nothing in the way: the same command now succeeds.
            let again = try stores.strata(["training-set", "--service", "scoring", "--spine", "spine"] + Phase.savingWithATable.arguments)
            #expect(again.status == 0, "\(again.stderr)")
            let db = try PostgresConnection(url: postgres.url)
            #expect(try db.execute("SELECT count(*) FROM out_table").int(0, 0) == 30_000)
            #expect(try db.execute("SELECT count(*) FROM strata_saved_sets").int(0, 0) == 1)
        }
    }
}

import Foundation
import StrataPostgres

/// Polling for tests that act while another process runs: line concurrent writers up behind a held lock,
/// or interrupt a command at a known point.
public enum Waiting {
    /// Polls `condition` every 10 ms until it holds; throws after `seconds`, naming `what`.
    public static func until(_ what: String, seconds: Double = 60, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while try !condition() {
            guard Date() < deadline else {
                throw TestServices.Failure(description: "timed out after \(seconds) s waiting for \(what)")
            }
            usleep(10_000)
        }
    }

    /// Waits until `count` other sessions of `db`'s database wait for a lock (a row, table or advisory lock).
    public static func untilSessionsWaitForLocks(_ count: Int, on db: PostgresConnection, seconds: Double = 60) throws {
        try until("\(count) sessions waiting for a lock", seconds: seconds) {
            try sessionsWaitingForLocks(on: db) >= count
        }
    }

    /// How many other sessions of `db`'s database wait for a lock now.
    public static func sessionsWaitingForLocks(on db: PostgresConnection) throws -> Int {
        let rows = try db.execute(
            """
            SELECT count(*) FROM pg_stat_activity
            WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()
            """)
        return Int(rows.int(0, 0) ?? 0)
    }
}

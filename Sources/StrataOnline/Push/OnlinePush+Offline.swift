import StrataPostgres
import StrataRegistry

extension OnlinePush {
    /// Appends `rows` to the view's source table only, in one transaction (Feast's push `"to": "offline"`),
    /// holding the view's push lock as `write` does.
    /// - Throws: `OnlineError.badInput` (nothing written) when an apply changed the view since the rows were
    ///   checked; `RegistryError.notMigrated` or `PostgresError` when the database fails.
    public func writeOffline(_ rows: Rows, db: PostgresConnection, waiting: (String) -> Void = { _ in }) throws {
        try holdingPushLock(registry: try Registry(readingFrom: db), waiting: waiting) {
            try db.transaction { db in try appendOffline(rows, db: db) }
        }
    }
}

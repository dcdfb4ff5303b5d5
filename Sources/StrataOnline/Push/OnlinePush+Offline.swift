import StrataPostgres

extension OnlinePush {
    /// Appends `rows` to the view's source table only, in one transaction (Feast's push `"to": "offline"`).
    public func writeOffline(_ rows: Rows, db: PostgresConnection) throws {
        try db.transaction { db in try appendOffline(rows, db: db) }
    }
}

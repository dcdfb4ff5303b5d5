import StrataPostgres

extension Registry {
    /// The PostgreSQL channel on which committed registry changes (applies, model promotions) are
    /// announced with `NOTIFY`; the payload is the project. Running servers listen on it and reload.
    public static let changeChannel = "strata_registry"

    /// Announces a change of `project` on `changeChannel`. Called inside the transaction that makes
    /// the change, so that listeners hear of it exactly when it commits, and never of a rolled-back one.
    static func notifyChange(project: String, in db: PostgresConnection) throws {
        try db.execute("SELECT pg_notify($1, $2)", [.text(changeChannel), .text(project)])
    }

    /// The number of the latest apply of `project` (0 before the first), a version of its registered state.
    public func latestApply(project: String) throws -> Int64 {
        let rows = try connection.execute(
            "SELECT coalesce(max(id), 0) FROM strata_applies WHERE project = $1", [.text(project)])
        return rows.int(0, 0) ?? 0
    }
}

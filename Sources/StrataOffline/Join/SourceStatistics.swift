import StrataPostgres

/// What PostgreSQL estimates about a source table's size.
enum SourceStatistics {
    /// The planner's row estimate for `table` (quoted); 0 when never analysed.
    static func estimatedRows(table: String, connection: PostgresConnection) throws -> Double {
        let rows = try connection.execute(
            "SELECT greatest(reltuples, 0)::float8 FROM pg_class WHERE oid = to_regclass($1)", [.text(table)])
        return rows.double(0, 0) ?? 0
    }
}

extension PostgresConnection {
    /// Begins a repeatable-read transaction and exports its snapshot (`pg_export_snapshot`), so that
    /// other connections can read exactly the same data (`beginTransaction(sharingSnapshot:)`) while
    /// this transaction stays open.
    /// - Returns: the snapshot's identifier.
    public func beginExportingSnapshot() throws -> String {
        try execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
        let id = try execute("SELECT pg_export_snapshot()").string(0, 0) ?? ""
        guard Self.isSnapshotID(id) else {
            _ = try? execute("ROLLBACK")
            throw PostgresError(code: .protocolError, message: "PostgreSQL at \(redactedURL) exported a snapshot named '\(id)', which is not a snapshot identifier")
        }
        return id
    }

    /// Begins a repeatable-read transaction that sees the snapshot `id` exported by another
    /// connection's open transaction.
    public func beginTransaction(sharingSnapshot id: String) throws {
        guard Self.isSnapshotID(id) else {
            throw PostgresError(code: .typeMismatch, message: "'\(id)' is not a snapshot identifier (expected hexadecimal digits and dashes)")
        }
        try execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
        // SET TRANSACTION SNAPSHOT takes no parameter; the identifier was checked above.
        try execute("SET TRANSACTION SNAPSHOT '\(id)'")
    }

    /// Whether `id` looks like what `pg_export_snapshot` returns (e.g. `00000003-0000001B-1`).
    static func isSnapshotID(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.allSatisfy { $0 == UInt8(ascii: "-") || ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 70) || ($0 >= 97 && $0 <= 102) }
    }
}

import StrataPostgres

/// Extra connections to the registry's server that all read one snapshot: the first begins a
/// repeatable-read transaction and exports its snapshot, the others import it (as `pg_dump --jobs`
/// does), so the pieces of a parallel read together see exactly what one statement would, whatever is
/// written meanwhile. Opened on first use, kept for the views of one join, closed by `close`.
///
/// Not thread-safe: the join's thread opens and closes them; each is then lent to one reading thread.
final class SnapshotConnections {
    private let primary: PostgresConnection
    private(set) var connections: [PostgresConnection] = []
    private var snapshot: String?
    private var cachedSettings: ExtractionPlanner.Settings?

    init(primary: PostgresConnection) {
        self.primary = primary
    }

    /// The server's settings for the automatic choice, read once.
    func settings() throws -> ExtractionPlanner.Settings {
        if let cachedSettings { return cachedSettings }
        let read = try ExtractionPlanner.Settings.read(primary)
        cachedSettings = read
        return read
    }

    /// Up to `count` connections in the shared snapshot. When the server refuses one (e.g. too many
    /// clients), a `required` count is an error; otherwise the read goes on with those already open
    /// (possibly none: the caller then reads on its own connection).
    func open(_ count: Int, required: Bool) throws -> [PostgresConnection] {
        while connections.count < count {
            do {
                let connection = try primary.openSibling()
                if let snapshot {
                    try connection.beginTransaction(sharingSnapshot: snapshot)
                } else {
                    snapshot = try connection.beginExportingSnapshot()
                }
                connections.append(connection)
            } catch let error as PostgresError where !required && error.code == .connectionFailed {
                break
            }
        }
        return Array(connections.prefix(count))
    }

    /// Ends the read-only transactions and closes the connections.
    func close() {
        for connection in connections.reversed() where connection.isHealthy { _ = try? connection.execute("COMMIT") }
        connections = []
        snapshot = nil
    }
}

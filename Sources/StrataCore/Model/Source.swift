/// A PostgreSQL table or view that feature values are read from.
public struct Source: Sendable, Hashable, Codable {
    public var name: String
    /// The table or view, optionally schema-qualified (`schema.table`).
    public var table: String
    /// The event-timestamp column.
    public var timestampColumn: String
    /// The created-timestamp column, the tie-breaker among equal event timestamps.
    public var createdTimestampColumn: String?

    public init(name: String, table: String, timestampColumn: String, createdTimestampColumn: String? = nil) {
        self.name = name
        self.table = table
        self.timestampColumn = timestampColumn
        self.createdTimestampColumn = createdTimestampColumn
    }
}

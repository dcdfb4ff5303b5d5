import StrataColumnar
import StrataCore
import StrataPostgres
import StrataRedis
import StrataRegistry

extension OnlinePush {
    /// The columns a push file carries besides the join keys and timestamps, with the type each is
    /// parsed as: the view's features; for an aggregation view, the other source columns its
    /// aggregations read, typed as `min`, `max` or `last` declare, else float64 for `sum`, `mean` and `stddev`, else
    /// (a column only counted) string.
    public var pushedColumns: [(name: String, type: ColumnType)] {
        guard let aggregations = view.view.aggregations else {
            return Array(zip(view.view.features.map(\.name), view.featureColumnTypes))
        }
        // The keys and timestamps are columns of every push already.
        let given = Set(view.joinKeys + [view.source.timestampColumn] + [view.source.createdTimestampColumn].compactMap { $0 })
        var columns: [(name: String, type: ColumnType)] = []
        for aggregation in aggregations
        where !aggregation.countsEvents && !given.contains(aggregation.column) && !columns.contains(where: { $0.name == aggregation.column }) {
            let uses = aggregations.filter { $0.column == aggregation.column }
            let type: ColumnType = if let typed = uses.first(where: { [.min, .max, .last].contains($0.function) }) {
                ColumnType(typed.type)
            } else if uses.contains(where: \.function.isArithmetic) {
                .float64
            } else {
                .string
            }
            columns.append((aggregation.column, type))
        }
        return columns
    }

    /// A push to an aggregation view (docs/aggregations.md, "Online"), in `write`'s order: the
    /// deletions an `apply` left pending; the events appended to the source table, committed; then the
    /// pushed entities' tiles rebuilt from the source up to `max(now, latest pushed event)` and written
    /// with the newer-wins rule on that end. Rebuilding whole tiles from the source makes a retry safe.
    /// - Throws: `OnlineError.badInput` without `offline` (the tiles are a function of the source);
    ///   `OnlineError.onlineWriteFailed` when Redis fails after the commit, saying how to finish.
    func writeTiles(_ rows: Rows, registry: Registry, redis: some RedisClient, offline: Bool) throws -> Int {
        guard offline else {
            throw OnlineError(
                .badInput,
                "feature view \(view.view.name) aggregates events, so a push to it needs --offline: its tiles are rebuilt from the source table, which must hold the events (so that a rerun counts each event once)")
        }
        let now = OnlineClock.nowMicros()
        let end = max(now, rows.event.max() ?? now)
        let builder = try TileBuilder(view: view)
        _ = try OnlineCleanup.complete(project: view.project, registry: registry, redis: redis)
        try registry.connection.transaction { db in try appendEvents(rows, db: db) }
        let db = registry.connection
        do {
            let keys = try SQLIdentifier.quoteQualified(Self.keysTable)
            try db.execute("DROP TABLE IF EXISTS \(keys)")
            let definitions = try zip(view.joinKeys, view.keyColumnTypes).map { "\(try SQLIdentifier.quote($0)) \(WireType.carrying($1).sqlName)" }
            try db.execute("CREATE TEMP TABLE \(keys) (\(definitions.joined(separator: ", ")))")
            defer { _ = try? db.execute("DROP TABLE IF EXISTS \(keys)") }
            try db.copyIn(table: Self.keysTable, columnNames: view.joinKeys, columns: rows.keys)
            try OnlineFunctions.load(redis)
            let writer = OnlineWriter(redis: redis)
            var written = 0
            _ = try builder.build(
                connection: db, end: end, entities: .listed(table: Self.keysTable), now: now, batchRows: 16_384,
                submit: { written += try writer.write($0) }, progress: { _ in })
            return written
        } catch let error as RedisError {
            let start = UTCTimestamp.format(rows.event.min() ?? end)
            throw OnlineError(
                .onlineWriteFailed,
                "the \(rows.count) events were appended to \(view.source.table) and committed, but writing the tiles of their entities to Redis at \(redis.redactedURL) failed, so the online store holds some, all or none of them: run `strata materialize --views \(view.view.name) --start \(start) --end \(UTCTimestamp.format(end))`, which rebuilds those tiles from the source (safe to repeat); re-running the push would append the events a second time",
                underlying: error.description)
        }
    }

    /// The temporary table of a push's entity keys.
    static let keysTable = "strata_push_keys"

    /// Copies the events into a temporary table of Strata's types, then inserts them into the source
    /// table, each column cast to the table's own type (a column only counted arrives as text).
    func appendEvents(_ rows: Rows, db: PostgresConnection) throws {
        let table = try SQLIdentifier.quoteQualified(view.source.table)
        let described = try db.execute(
            """
            SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a
            WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped
            """, [.text(table)])
        var targetTypes: [String: String] = [:]
        for row in 0..<described.rowCount {
            if let name = described.string(row, 0), let type = described.string(row, 1) { targetTypes[name] = type }
        }
        var names = view.joinKeys + [view.source.timestampColumn]
        var columns = rows.keys + [Column(timestamp: rows.event)]
        var types = view.keyColumnTypes + [.timestamp]
        if let created = view.source.createdTimestampColumn {
            names.append(created)
            columns.append(Column(timestamp: rows.created.map { $0 == OnlineRecord.noCreated ? nil : $0 }))
            types.append(.timestamp)
        }
        let pushed = pushedColumns
        names += pushed.map(\.name)
        columns += rows.features
        types += pushed.map(\.type)
        let quoted = try names.map(SQLIdentifier.quote)
        let definitions = zip(quoted, types).map { "\($0) \(WireType.carrying($1).sqlName)" }
        try db.execute("CREATE TEMP TABLE strata_push_rows (\(definitions.joined(separator: ", "))) ON COMMIT DROP")
        try db.copyIn(table: "strata_push_rows", columnNames: names, columns: columns)
        let casts = zip(names, quoted).map { name, column in targetTypes[name].map { "\(column)::\($0)" } ?? column }
        try db.execute(
            "INSERT INTO \(table) (\(quoted.joined(separator: ", "))) SELECT \(casts.joined(separator: ", ")) FROM strata_push_rows")
    }
}

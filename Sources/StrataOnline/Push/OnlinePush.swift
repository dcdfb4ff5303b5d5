import StrataColumnar
import StrataCore
import StrataOffline
import StrataPostgres
import StrataRedis
import StrataRegistry

/// Push (the path for streaming sources): rows of one view written straight to the online store with
/// the newer-wins rule and, optionally, first appended to the view's source table and committed.
/// Every row is parsed and checked before anything is written.
public struct OnlinePush {
    /// Parsed rows of one view, as columns.
    public struct Rows: Sendable {
        /// The join-key columns, in the view's entity order.
        public var keys: [Column]
        /// Event timestamps (µs).
        public var event: [Int64]
        /// Created timestamps (µs); the push time where the file has none.
        public var created: [Int64]
        /// One column per feature, in the view's order; for an aggregation view, one per column its aggregations read (`pushedColumns`).
        public var features: [Column]
        /// The number of rows.
        public var count: Int { event.count }
    }

    /// The view pushed to.
    public let view: OnlineView

    /// A push to `view`.
    public init(view: OnlineView) {
        self.view = view
    }

    /// Parses every record of `reader` (an input that fits in memory: a request body, a test's rows),
    /// whose header names the view's join keys, the source's event-timestamp column (or
    /// `event_timestamp`), optionally its created-timestamp column (default: `now`, µs), and every
    /// feature; an unquoted empty field is null. A file of any size goes through `write(_:…)` instead.
    /// - Throws: `OnlineError.badInput` naming `file:line`, the column and the value.
    public func parse(_ reader: CSVReader, now: Int64) throws -> Rows {
        var parser = try PushRowParser(view: view, header: reader.header, file: reader.file, now: now)
        var record = CSVRecord()
        while try reader.next(&record) { try parser.append(record) }
        return parser.finish()
    }

    /// Parses records already split into fields (the columns of a JSON body), as `parse(_:now:)` does;
    /// `file` names them in errors.
    public func parse(header: [String], records: [CSVRecord], file: String, now: Int64) throws -> Rows {
        var parser = try PushRowParser(view: view, header: header, file: file, now: now)
        for record in records { try parser.append(record) }
        return parser.finish()
    }

    /// Writes `rows` (the command line's and the server's push), holding the view's push lock
    /// (`holdingPushLock`, which an apply resetting the view waits for): first the deletions an `apply`
    /// left pending; then, with `offline`, the rows appended to the view's source table in one transaction,
    /// committed; then the rows written to Redis with the newer-wins rule, which makes a retry safe.
    /// - Parameter waiting: hears why the push waits for an apply.
    /// - Returns: the number of records that replaced (or created) a stored one.
    /// - Throws: `OnlineError.onlineWriteFailed` when Redis fails after the offline commit (or, without
    ///   `offline`, at all), saying what each store holds and how to finish safely;
    ///   `OnlineError.badInput` (nothing written) when an apply changed the view since the rows were checked;
    ///   `OnlineError.cleanupFailed` (nothing written) or `PostgresError` otherwise.
    @discardableResult
    public func write(
        _ rows: Rows, registry: Registry, redis: some RedisClient, offline: Bool, waiting: (String) -> Void = { _ in }
    ) throws -> Int {
        try holdingPushLock(registry: registry, waiting: waiting) {
            if view.view.isAggregation { return try writeTiles(rows, registry: registry, redis: redis, offline: offline) }
            let batch = EncodedBatch(
                view: view, keys: rows.keys, event: rows.event, created: rows.created, features: rows.features,
                now: OnlineClock.nowMicros())
            _ = try OnlineCleanup.complete(project: view.project, registry: registry, redis: redis)
            if offline {
                try registry.connection.transaction { db in try appendOffline(rows, db: db) }
            }
            do {
                try OnlineFunctions.load(redis)
                return try OnlineWriter(redis: redis).write(batch)
            } catch let error as RedisError {
                throw onlineWriteFailed(error, rows: rows.count, offline: offline, redis: redis)
            }
        }
    }

    /// The error of a Redis failure after `rows` rows were handed to the push, saying what each store
    /// holds and how to finish safely.
    func onlineWriteFailed(_ error: RedisError, rows: Int, offline: Bool, redis: some RedisClient) -> OnlineError {
        let table = view.source.table
        let held = "so the online store holds some, all or none of them"
        let message = offline
            ? "the \(rows) rows were appended to \(table) and committed, but writing them to Redis at \(redis.redactedURL) failed, \(held): re-run this push without --offline to write them online, which is safe (a value in Redis is never replaced by an older one); re-running it with --offline would append them to \(table) a second time"
            : "writing the \(rows) rows to Redis at \(redis.redactedURL) failed, \(held), and nothing was written offline: re-running the push is safe (a value in Redis is never replaced by an older one)"
        return OnlineError(.onlineWriteFailed, message, underlying: error.description)
    }

    /// Copies the rows into a temporary table of Strata's types, then inserts them into the source
    /// table, so that PostgreSQL converts to the table's own column types.
    func appendOffline(_ rows: Rows, db: PostgresConnection) throws {
        try createStagingTable(db)
        try stage(rows, db: db)
        try insertStaged(db)
    }

    /// The source table's columns a push writes, in the order of `Rows`.
    private var offlineColumns: (names: [String], types: [ColumnType]) {
        var names = view.joinKeys + [view.source.timestampColumn]
        var types = view.keyColumnTypes + [.timestamp]
        if let created = view.source.createdTimestampColumn {
            names.append(created)
            types.append(.timestamp)
        }
        return (names + view.view.features.map(\.name), types + view.featureColumnTypes)
    }

    /// Creates the temporary table rows are staged in, dropped at the end of the transaction.
    func createStagingTable(_ db: PostgresConnection) throws {
        let (names, types) = offlineColumns
        let definitions = try zip(names, types).map { "\(try SQLIdentifier.quote($0)) \(WireType.carrying($1).sqlName)" }
        try db.execute("CREATE TEMP TABLE strata_push_rows (\(definitions.joined(separator: ", "))) ON COMMIT DROP")
    }

    /// Copies `rows` into the staging table.
    func stage(_ rows: Rows, db: PostgresConnection) throws {
        var columns = rows.keys + [Column(timestamp: rows.event)]
        if view.source.createdTimestampColumn != nil {
            columns.append(Column(timestamp: rows.created.map { $0 == OnlineRecord.noCreated ? nil : $0 }))
        }
        try db.copyIn(table: "strata_push_rows", columnNames: offlineColumns.names, columns: columns + rows.features)
    }

    /// Inserts the staged rows into the source table.
    func insertStaged(_ db: PostgresConnection) throws {
        let list = try offlineColumns.names.map(SQLIdentifier.quote).joined(separator: ", ")
        try db.execute(
            "INSERT INTO \(try SQLIdentifier.quoteQualified(view.source.table)) (\(list)) SELECT \(list) FROM strata_push_rows")
    }
}

extension Column {
    /// The timestamp values with nulls replaced by `fallback`.
    func timestampValuesOr(_ fallback: Int64) -> [Int64] {
        guard nullCount > 0 else { return timestampValues }
        return (0..<count).map { timestamp(at: $0) ?? fallback }
    }
}

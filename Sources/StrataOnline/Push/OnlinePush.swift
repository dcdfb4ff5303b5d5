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
        /// One column per feature, in the view's order.
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

    /// Parses a CSV table whose header names the view's join keys, the source's event-timestamp column
    /// (or `event_timestamp`), optionally its created-timestamp column (default: `now`, µs), and every
    /// feature; an unquoted empty field is null.
    /// - Throws: `OnlineError.badInput` naming `file:line`, the column and the value.
    public func parse(_ table: CSVTable, now: Int64) throws -> Rows {
        let file = table.file
        let keys = view.joinKeys
        let ts = view.source.timestampColumn
        let created = view.source.createdTimestampColumn
        var index: [String: Int] = [:]
        for (position, name) in table.header.enumerated() { index[name] = position }
        let expected = (keys + [ts] + (created.map { ["\($0) (optional)"] } ?? []) + view.view.features.map(\.name))
            .joined(separator: ", ")
        for name in table.header {
            let known = keys.contains(name) || name == ts || name == created || name == "event_timestamp"
                || view.view.feature(named: name) != nil
            guard known else {
                throw OnlineError(
                    .badInput, "\(file):1: column '\(name)' is not a column of feature view \(view.view.name) (expected: \(expected))")
            }
        }
        func position(_ name: String) throws -> Int {
            guard let found = index[name] else {
                throw OnlineError(.badInput, "\(file):1: the header has no column '\(name)' (expected: \(expected))")
            }
            return found
        }
        let tsPosition = try index[ts] ?? position("event_timestamp")
        var rows = Rows(keys: [], event: [], created: [], features: [])
        for (entity, type) in zip(view.entities, view.keyColumnTypes) {
            let c = try position(entity.joinKey)
            rows.keys.append(try column(table, c, type: type, name: entity.joinKey, nullable: false))
        }
        rows.event = try column(table, tsPosition, type: .timestamp, name: table.header[tsPosition], nullable: false).timestampValues
        if let created, let c = index[created] {
            rows.created = try column(table, c, type: .timestamp, name: created, nullable: true)
                .timestampValuesOr(OnlineRecord.noCreated)
        } else {
            rows.created = [Int64](repeating: now, count: table.records.count)
        }
        for (feature, type) in zip(view.view.features, view.featureColumnTypes) {
            rows.features.append(try column(table, try position(feature.name), type: type, name: feature.name, nullable: true))
        }
        return rows
    }

    func column(_ table: CSVTable, _ c: Int, type: ColumnType, name: String, nullable: Bool) throws -> Column {
        var builder = ColumnBuilder(type: type, capacity: table.records.count)
        for (r, record) in table.records.enumerated() {
            let where_ = "\(table.file):\(table.lines[r])"
            guard let text = record[c] else {
                guard nullable else {
                    throw OnlineError(.badInput, "\(where_): column \(name) is empty; a value is required")
                }
                builder.appendNull()
                continue
            }
            func bad() -> OnlineError {
                OnlineError(.badInput, "\(where_): column \(name): '\(text)' is not a \(type.rawValue)")
            }
            // NaN and ±Infinity (or a literal too large for the type) are refused, so that what a push
            // stores reads back the same online, in training sets and in the source table.
            func nonFinite() -> OnlineError {
                OnlineError(
                    .badInput,
                    "\(where_): column \(name) (field \(c + 1)): '\(text)' is not a finite \(type.rawValue); "
                        + "push accepts finite numbers only (leave the field empty for null)")
            }
            let trimmed = type == .string ? text : text.trimmingCharacters(in: .whitespaces)
            switch type {
            case .int64:
                guard let v = Int64(trimmed) else { throw bad() }
                builder.append(v)
            case .int32:
                guard let v = Int32(trimmed) else { throw bad() }
                builder.append(v)
            case .float64:
                guard let v = Double(trimmed) else { throw bad() }
                guard v.isFinite else { throw nonFinite() }
                builder.append(v)
            case .float32:
                guard let v = Float(trimmed) else { throw bad() }
                guard v.isFinite else { throw nonFinite() }
                builder.append(v)
            case .bool:
                switch trimmed.lowercased() {
                case "true", "t", "1": builder.append(true)
                case "false", "f", "0": builder.append(false)
                default: throw bad()
                }
            case .timestamp:
                guard let v = UTCTimestamp.parse(trimmed) else {
                    throw OnlineError(
                        .badInput, "\(where_): column \(name): '\(text)' is not an ISO-8601 timestamp (e.g. 2026-01-31T12:00:00Z)")
                }
                builder.appendTimestamp(v)
            case .string:
                builder.appendString(text)
            }
        }
        return builder.finish()
    }

    /// Writes `rows` (the command line's and the server's push): first the deletions an `apply` left
    /// pending; then, with `offline`, the rows appended to the view's source table in one transaction,
    /// committed; then the rows written to Redis with the newer-wins rule, which makes a retry safe.
    /// - Returns: the number of records that replaced (or created) a stored one.
    /// - Throws: `OnlineError.onlineWriteFailed` when Redis fails after the offline commit (or, without
    ///   `offline`, at all), saying what each store holds and how to finish safely;
    ///   `OnlineError.cleanupFailed` (nothing written) or `PostgresError` otherwise.
    @discardableResult
    public func write(_ rows: Rows, registry: Registry, redis: some RedisClient, offline: Bool) throws -> Int {
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
            let table = view.source.table
            let held = "so the online store holds some, all or none of them"
            let message = offline
                ? "the \(rows.count) rows were appended to \(table) and committed, but writing them to Redis at \(redis.redactedURL) failed, \(held): re-run this push without --offline to write them online, which is safe (a value in Redis is never replaced by an older one); re-running it with --offline would append them to \(table) a second time"
                : "writing the \(rows.count) rows to Redis at \(redis.redactedURL) failed, \(held), and nothing was written offline: re-running the push is safe (a value in Redis is never replaced by an older one)"
            throw OnlineError(.onlineWriteFailed, message, underlying: error.description)
        }
    }

    /// Copies the rows into a temporary table of Strata's types, then inserts them into the source
    /// table, so that PostgreSQL converts to the table's own column types.
    func appendOffline(_ rows: Rows, db: PostgresConnection) throws {
        var names = view.joinKeys + [view.source.timestampColumn]
        var columns = rows.keys + [Column(timestamp: rows.event)]
        var types = view.keyColumnTypes + [.timestamp]
        if let created = view.source.createdTimestampColumn {
            names.append(created)
            columns.append(Column(timestamp: rows.created.map { $0 == OnlineRecord.noCreated ? nil : $0 }))
            types.append(.timestamp)
        }
        names += view.view.features.map(\.name)
        columns += rows.features
        types += view.featureColumnTypes
        let quoted = try names.map(SQLIdentifier.quote)
        let definitions = zip(quoted, types).map { "\($0) \(WireType.carrying($1).sqlName)" }
        try db.execute("CREATE TEMP TABLE strata_push_rows (\(definitions.joined(separator: ", "))) ON COMMIT DROP")
        try db.copyIn(table: "strata_push_rows", columnNames: names, columns: columns)
        let list = quoted.joined(separator: ", ")
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

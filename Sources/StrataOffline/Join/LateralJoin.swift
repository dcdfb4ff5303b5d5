import StrataColumnar
import StrataCore
import StrataPostgres

/// The pushed-down strategy: the spine's keys and times are uploaded by binary COPY into a temporary
/// table, and PostgreSQL answers each spine row with an index-backed
/// `LEFT JOIN LATERAL (… ORDER BY event_ts DESC, created DESC, features… LIMIT 1)`, rows tied in
/// event and created time ranked by the view's feature values as `SourceSelection.tieOrder` ranks them.
/// It runs on the join's own connection whatever the `Parallelism` (PostgreSQL may still use its own
/// parallel workers for it). Fast when the source has an index on (join keys, event timestamp) and the spine is small.
struct LateralJoin {
    let connection: PostgresConnection

    func join(_ group: FeatureSelection.ViewGroup, spine: Frame, times: Column, progress: PointInTimeJoin.Progress) throws -> [Column] {
        let temporary = "strata_spine_\(UInt32.random(in: 0...UInt32.max))"
        let keyNames = group.joinKeys.enumerated().map { "k\($0.offset)" }
        var definitions = ["row_id bigint"]
        var columns = [Column(int64: Array(0..<Int64(spine.rowCount)))]
        for (name, key) in zip(keyNames, group.joinKeys) {
            let column = spine[key]!
            definitions.append("\(name) \(column.type == .string ? "text" : "bigint")")
            columns.append(column)
        }
        definitions.append("ts timestamptz")
        columns.append(spine[SpineLoader.timestampColumn]!)
        var names = ["row_id"] + keyNames + ["ts"]
        if group.view.ttlSeconds > 0 {
            definitions.append("lo timestamptz")
            columns.append(Column(timestamp: Self.lowerBounds(times.timestampValues, ttlSeconds: group.view.ttlSeconds)))
            names.append("lo")
        }
        try connection.execute("CREATE TEMPORARY TABLE \(temporary) (\(definitions.joined(separator: ", ")))")
        defer { _ = try? connection.execute("DROP TABLE IF EXISTS \(temporary)") }
        try connection.copyIn(table: temporary, columnNames: names, columns: columns)
        try connection.execute("ANALYZE \(temporary)")
        let window = ExtractionWindow(spineTimes: times.timestampValues, ttlSeconds: group.view.ttlSeconds)
        let (sql, copyColumns) = try Self.query(group, spine: temporary, window: window)
        let result = try connection.copyOut(query: sql, columns: copyColumns, capacity: spine.rowCount)
        progress(group.view.name, spine.rowCount)
        return result
    }

    /// The earliest finite time PostgreSQL holds, 4714-11-24T00:00:00Z BC, in µs since the Unix epoch.
    static let earliestTimestamp: Int64 = -210_866_803_200_000_000

    /// The earliest event time each spine row takes, `time - ttl`, computed as the extraction computes it
    /// (saturating) rather than by PostgreSQL, whose interval arithmetic refuses long ttls (before
    /// version 15, any ttl past 2^31 seconds, about 68 years). A bound before PostgreSQL's earliest time
    /// becomes that time, which no finite event precedes, so PostgreSQL reads it; a saturated one stays
    /// -infinity, which the extraction also lets a -infinity event pass.
    static func lowerBounds(_ times: [Int64], ttlSeconds: Int64) -> [Int64] {
        let ttl = UTCTimestamp.micros(seconds: ttlSeconds)
        return times.map { time in
            let bound = UTCTimestamp.subtracting(ttl, from: time)
            return bound == .min ? .min : max(bound, earliestTimestamp)
        }
    }

    /// The query that looks up each row of the uploaded spine `spine` (columns `row_id`, `k0`…, `ts`, and
    /// `lo`, the earliest event time, when the view has a ttl), in spine order. Besides each row's own bounds, the rows are bounded by the whole spine's `window`, as
    /// constants, so that PostgreSQL plans only the partitions that overlap it.
    static func query(_ group: FeatureSelection.ViewGroup, spine: String, window: ExtractionWindow) throws -> (sql: String, columns: [CopyColumn]) {
        let keyNames = group.joinKeys.indices.map { "k\($0)" }
        let ts = try SQLIdentifier.quote(group.source.timestampColumn)
        var conditions = try zip(keyNames, group.joinKeys).map { "t.\(try SQLIdentifier.quote($1)) = s.\($0)" }
        conditions.append("t.\(ts) <= s.ts")
        if group.view.ttlSeconds > 0 {
            conditions.append("t.\(ts) >= s.lo")
        }
        conditions.append(window.condition(on: "t.\(ts)"))
        var order = ["t.\(ts) DESC"]
        if let created = group.source.createdTimestampColumn {
            let quoted = try SQLIdentifier.quote(created)
            conditions.append("t.\(quoted) IS NOT NULL")
            order.append("t.\(quoted) DESC")
        }
        order += try SourceSelection.tieOrder(group.view.features, alias: "t")
        let inner = try group.features.enumerated().map { "t.\(try SQLIdentifier.quote($1.name)) AS c\($0)" }
        let copyColumns = group.features.map { CopyColumn(ColumnType($0.type)) }
        let outer = zip(copyColumns.indices, copyColumns).map { "f.c\($0)::\($1.wire.sqlName)" }
        let sql = """
            SELECT \(outer.joined(separator: ", ")) FROM \(spine) s LEFT JOIN LATERAL (
                SELECT \(inner.joined(separator: ", ")) FROM \(try SQLIdentifier.quoteQualified(group.source.table)) t
                WHERE \(conditions.joined(separator: " AND "))
                ORDER BY \(order.joined(separator: ", ")) LIMIT 1) f ON true
            ORDER BY s.row_id
            """
        return (sql, copyColumns)
    }
}

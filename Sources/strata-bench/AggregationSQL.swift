import StrataCore
import StrataPostgres

/// The best hand-written PostgreSQL we found for windowed aggregates on a spine, as the baseline of the
/// `aggregations` suite: one index-backed `LEFT JOIN LATERAL` per spine row reading its driver's
/// events of the longest window once (an index on (driver_id, event_timestamp) INCLUDE the aggregated
/// columns, so the scan is index-only), every aggregate computed with `FILTER` on its own window's
/// start, `t − window` rounded down to the hop on exact microseconds. Rows come in spine order.
enum AggregationSQL {
    static func lateral(view: FeatureView, source: Source, aggregations: [Aggregation], spine: String) throws -> String {
        let hop = (view.hopSeconds ?? 1) * 1_000_000
        let ts = try SQLIdentifier.quote(source.timestampColumn)
        let windows = Array(Set(aggregations.map(\.windowSeconds))).sorted()
        let starts = windows.map { w in
            "'epoch'::timestamptz + (floor((tu - \(w * 1_000_000))::numeric / \(hop))::bigint * \(hop)) * interval '1 microsecond' AS start_\(w)"
        }
        let longest = windows.last ?? 0
        let outputs = try aggregations.map { a -> String in
            let column = a.countsEvents ? "*" : "e.\(try SQLIdentifier.quote(a.column))"
            let filter = a.windowSeconds == longest ? "" : " FILTER (WHERE e.\(ts) > s.start_\(a.windowSeconds))"
            let call: String = switch a.function {
            case .count: "count(\(column))"
            case .sum: "sum(\(column)::float8)"
            case .mean: "avg(\(column)::float8)"
            case .stddev: "stddev_pop(\(column)::float8)"
            case .min: "min(\(column))"
            case .max: "max(\(column))"
            case .last: throw BenchError("the baseline has no last")
            }
            return "\(call)\(filter) AS \(try SQLIdentifier.quote("\(view.name)__\(a.name)"))"
        }
        return """
            WITH s AS (
                SELECT row_number() OVER () AS strata_rid, *, \(starts.joined(separator: ", "))
                FROM (SELECT *, (extract(epoch FROM event_timestamp) * 1000000)::bigint AS tu
                      FROM \(try SQLIdentifier.quoteQualified(spine))) p)
            SELECT s.driver_id, s.customer_id, s.event_timestamp, s.label, a.*
            FROM s LEFT JOIN LATERAL (
                SELECT \(outputs.joined(separator: ", "))
                FROM \(try SQLIdentifier.quoteQualified(source.table)) e
                WHERE e.driver_id = s.driver_id AND e.\(ts) > s.start_\(longest) AND e.\(ts) <= s.event_timestamp) a ON true
            ORDER BY s.strata_rid
            """
    }

    /// How many cells of two results (tables with the same columns, compared in physical row order)
    /// differ: exactly for counts and maxima, beyond 1e-9 of the values' scale for sums and means.
    static func differingCells(_ db: PostgresConnection, _ a: String, _ b: String, aggregations: [Aggregation], view: String) throws -> Int {
        let checks = try aggregations.map { aggregation -> String in
            let column = try SQLIdentifier.quote("\(view)__\(aggregation.name)")
            if aggregation.function.isArithmetic {
                return "(CASE WHEN (x.\(column) IS NULL) <> (y.\(column) IS NULL) OR abs(x.\(column)::float8 - y.\(column)::float8) > 1e-9 * greatest(1, abs(y.\(column)::float8)) THEN 1 ELSE 0 END)"
            }
            return "(CASE WHEN x.\(column)::float8 IS DISTINCT FROM y.\(column)::float8 THEN 1 ELSE 0 END)"
        }
        let x = try SQLIdentifier.quote(a), y = try SQLIdentifier.quote(b)
        let rows = try db.execute(
            """
            SELECT coalesce(sum(\(checks.joined(separator: " + "))), 0) + abs((SELECT count(*) FROM \(x)) - (SELECT count(*) FROM \(y)))
            FROM (SELECT row_number() OVER () AS n, * FROM \(x)) x JOIN (SELECT row_number() OVER () AS n, * FROM \(y)) y USING (n)
            """)
        return Int(rows.int(0, 0) ?? -1)
    }
}

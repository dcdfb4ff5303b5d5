import StrataOffline
import StrataPostgres

/// The best single SQL statements we could write by hand for a point-in-time join, as baselines:
/// two sorted window formulations (no index needed) and a LATERAL lookup per spine row (backed by a
/// covering index). All return the spine's columns then `view__feature` columns, in spine
/// (physical) order.
enum HandWrittenSQL {
    /// Spine rows numbered in physical order, the order Strata reads them.
    static func numberedSpine(_ spine: String) throws -> String {
        "SELECT row_number() OVER () AS strata_rid, * FROM \(try SQLIdentifier.quoteQualified(spine))"
    }

    /// One window pass per view over the union of its rows and the spine's, sorted by
    /// (key, time, data-before-spine, created): each spine row falls in the group started by the
    /// latest data row before it, whose values `first_value` carries; the ttl is checked last.
    static func window(selection: FeatureSelection, spine: String) throws -> String {
        var ctes = ["s AS (\(try numberedSpine(spine)))"]
        var joins: [String] = []
        var outputs: [String] = []
        for (v, group) in selection.groups.enumerated() {
            let keys = try group.joinKeys.map(SQLIdentifier.quote)
            let ts = try SQLIdentifier.quote(group.source.timestampColumn)
            let created = try group.source.createdTimestampColumn.map(SQLIdentifier.quote) ?? "NULL::timestamptz"
            let createdFilter = group.source.createdTimestampColumn == nil ? "" : " AND \(created) IS NOT NULL"
            let features = try group.features.map { try SQLIdentifier.quote($0.name) }
            let keyList = keys.enumerated().map { "\($1) AS k\($0)" }.joined(separator: ", ")
            let spineKeys = keys.enumerated().map { "\($1) AS k\($0)" }.joined(separator: ", ")
            let partition = keys.indices.map { "k\($0)" }.joined(separator: ", ")
            let dataValues = features.enumerated().map { "\($1) AS f\($0)" }.joined(separator: ", ")
            let spineValues = group.features.indices.map { i in
                "NULL::\(WireType.carrying(.init(group.features[i].type)).sqlName) AS f\(i)"
            }.joined(separator: ", ")
            let carried = group.features.indices.map { "first_value(f\($0)) OVER w AS f\($0)" }.joined(separator: ", ")
            let ttlCheck = group.view.ttlSeconds > 0 ? " AND ft >= t - interval '\(group.view.ttlSeconds) seconds'" : ""
            let picked = group.features.indices.map { "CASE WHEN fk = 0\(ttlCheck) THEN f\($0) END AS f\($0)" }.joined(separator: ", ")
            let table = try SQLIdentifier.quoteQualified(group.source.table)
            ctes.append(
                """
                v\(v) AS (
                    SELECT rid, \(picked) FROM (
                        SELECT kind, rid, t, first_value(kind) OVER w AS fk, first_value(t) OVER w AS ft, \(carried)
                        FROM (
                            SELECT *, count(*) FILTER (WHERE kind = 0) OVER (
                                PARTITION BY \(partition) ORDER BY t, kind, c NULLS FIRST ROWS UNBOUNDED PRECEDING) AS grp
                            FROM (
                                SELECT \(keyList), \(ts) AS t, 0 AS kind, \(created) AS c, NULL::bigint AS rid, \(dataValues)
                                FROM \(table) WHERE \(ts) <= (SELECT max(event_timestamp) FROM s)\(createdFilter)
                                UNION ALL
                                SELECT \(spineKeys), event_timestamp, 1, NULL, strata_rid, \(spineValues) FROM s
                            ) u
                        ) g
                        WINDOW w AS (PARTITION BY \(partition), grp ORDER BY kind, t, c NULLS FIRST
                                     ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
                    ) x WHERE kind = 1
                )
                """)
            joins.append("JOIN v\(v) ON v\(v).rid = s.strata_rid")
            for (i, feature) in group.features.enumerated() {
                outputs.append("v\(v).f\(i) AS \(try SQLIdentifier.quote("\(group.view.name)__\(feature.name)"))")
            }
        }
        return try finish(ctes: ctes, joins: joins, outputs: outputs, selection: selection, spine: spine)
    }

    /// One window pass per view, sorting once: over the union of the view's rows and the spine's,
    /// sorted by (key, time, data-before-spine, created), a running `max` over the data rows of the
    /// array `[event time, created time, features…]` (as float8) is the latest data row's, because
    /// arrays compare element by element; the running `max(event time)` checks the ttl exactly.
    /// Feature types must fit a float8 exactly (float64, float32, int32, bool, int64 below 2^53);
    /// returns nil for a selection with string or timestamp features.
    static func singleSortWindow(selection: FeatureSelection, spine: String) throws -> String? {
        var ctes = ["s AS (\(try numberedSpine(spine)))"]
        var joins: [String] = []
        var outputs: [String] = []
        for (v, group) in selection.groups.enumerated() {
            let keys = try group.joinKeys.map(SQLIdentifier.quote)
            let ts = try SQLIdentifier.quote(group.source.timestampColumn)
            let created = try group.source.createdTimestampColumn.map(SQLIdentifier.quote)
            var packed = ["extract(epoch FROM t)::float8", created == nil ? "0::float8" : "extract(epoch FROM c)::float8"]
            var unpacked: [String] = []
            for (i, feature) in group.features.enumerated() {
                let name = try SQLIdentifier.quote(feature.name)
                let element = "w[\(i + 3)]"
                switch feature.type {
                case .float64: (packed, unpacked) = (packed + ["\(name)::float8"], unpacked + [element])
                case .float32: (packed, unpacked) = (packed + ["\(name)::float8"], unpacked + ["\(element)::real"])
                case .int32: (packed, unpacked) = (packed + ["\(name)::float8"], unpacked + ["\(element)::integer"])
                case .int64: (packed, unpacked) = (packed + ["\(name)::float8"], unpacked + ["\(element)::bigint"])
                case .bool: (packed, unpacked) = (packed + ["\(name)::int::float8"], unpacked + ["\(element)::int::boolean"])
                case .string, .timestamp: return nil
                }
            }
            let keyList = keys.enumerated().map { "\($1) AS k\($0)" }.joined(separator: ", ")
            let partition = keys.indices.map { "k\($0)" }.joined(separator: ", ")
            let dataValues = zip(group.features.indices, packed.dropFirst(2)).map { "\($1) AS f\($0)" }
            let spineValues = group.features.indices.map { "NULL::float8 AS f\($0)" }
            let array = "ARRAY[\((packed.prefix(2) + group.features.indices.map { "f\($0)" }).joined(separator: ", "))]"
            let live = group.view.ttlSeconds > 0 ? "ft >= t - interval '\(group.view.ttlSeconds) seconds'" : "ft IS NOT NULL"
            let picked = unpacked.enumerated().map { "CASE WHEN \(live) THEN \($1) END AS f\($0)" }.joined(separator: ", ")
            let table = try SQLIdentifier.quoteQualified(group.source.table)
            let createdFilter = created.map { " AND \($0) IS NOT NULL" } ?? ""
            ctes.append(
                """
                v\(v) AS (
                    SELECT rid, \(picked) FROM (
                        SELECT kind, rid, t, max(t) FILTER (WHERE kind = 0) OVER w AS ft,
                               max(\(array)) FILTER (WHERE kind = 0) OVER w AS w
                        FROM (
                            SELECT \(keyList), \(ts) AS t, 0 AS kind, \(created ?? "NULL::timestamptz") AS c, NULL::bigint AS rid,
                                   \(dataValues.joined(separator: ", "))
                            FROM \(table) WHERE \(ts) <= (SELECT max(event_timestamp) FROM s)\(createdFilter)
                            UNION ALL
                            SELECT \(keyList), event_timestamp, 1, NULL, strata_rid, \(spineValues.joined(separator: ", ")) FROM s
                        ) u
                        WINDOW w AS (PARTITION BY \(partition) ORDER BY t, kind, c NULLS FIRST ROWS UNBOUNDED PRECEDING)
                    ) x WHERE kind = 1
                )
                """)
            joins.append("JOIN v\(v) ON v\(v).rid = s.strata_rid")
            for (i, feature) in group.features.enumerated() {
                outputs.append("v\(v).f\(i) AS \(try SQLIdentifier.quote("\(group.view.name)__\(feature.name)"))")
            }
        }
        return try finish(ctes: ctes, joins: joins, outputs: outputs, selection: selection, spine: spine)
    }

    /// The covering index a LATERAL lookup of the view reads without touching the table: join keys,
    /// event time and created time as keys, the features included.
    static func coveringIndex(_ group: FeatureSelection.ViewGroup, name: String) throws -> String {
        var columns = try group.joinKeys.map(SQLIdentifier.quote) + [try SQLIdentifier.quote(group.source.timestampColumn)]
        if let created = group.source.createdTimestampColumn { columns.append(try SQLIdentifier.quote(created)) }
        let included = try group.features.map { try SQLIdentifier.quote($0.name) }.joined(separator: ", ")
        return "CREATE INDEX \(try SQLIdentifier.quote(name)) ON \(try SQLIdentifier.quoteQualified(group.source.table)) (\(columns.joined(separator: ", "))) INCLUDE (\(included))"
    }

    /// One `LEFT JOIN LATERAL (… ORDER BY ts DESC, created DESC LIMIT 1)` per view (rows without a
    /// created timestamp skipped, as Feast does).
    static func lateral(selection: FeatureSelection, spine: String) throws -> String {
        let ctes = ["s AS (\(try numberedSpine(spine)))"]
        var joins: [String] = []
        var outputs: [String] = []
        for (v, group) in selection.groups.enumerated() {
            let ts = try SQLIdentifier.quote(group.source.timestampColumn)
            var conditions = try group.joinKeys.map { "t.\(try SQLIdentifier.quote($0)) = s.\(try SQLIdentifier.quote($0))" }
            conditions.append("t.\(ts) <= s.event_timestamp")
            if group.view.ttlSeconds > 0 {
                conditions.append("t.\(ts) >= s.event_timestamp - interval '\(group.view.ttlSeconds) seconds'")
            }
            var order = ["t.\(ts) DESC"]
            if let created = group.source.createdTimestampColumn {
                conditions.append("t.\(try SQLIdentifier.quote(created)) IS NOT NULL")
                order.append("t.\(try SQLIdentifier.quote(created)) DESC")
            }
            let columns = try group.features.map { "t.\(try SQLIdentifier.quote($0.name))" }.joined(separator: ", ")
            joins.append(
                """
                LEFT JOIN LATERAL (SELECT \(columns) FROM \(try SQLIdentifier.quoteQualified(group.source.table)) t
                    WHERE \(conditions.joined(separator: " AND ")) ORDER BY \(order.joined(separator: ", ")) LIMIT 1) v\(v) ON true
                """)
            for feature in group.features {
                outputs.append("v\(v).\(try SQLIdentifier.quote(feature.name)) AS \(try SQLIdentifier.quote("\(group.view.name)__\(feature.name)"))")
            }
        }
        return try finish(ctes: ctes, joins: joins, outputs: outputs, selection: selection, spine: spine)
    }

    static func finish(ctes: [String], joins: [String], outputs: [String], selection: FeatureSelection, spine: String) throws -> String {
        let byName = Dictionary(zip(selection.groups.flatMap { g in g.features.map { "\(g.view.name)__\($0.name)" } }, outputs),
                                uniquingKeysWith: { a, _ in a })
        let ordered = selection.references.map { byName[$0.columnName]! }
        return """
            WITH \(ctes.joined(separator: ",\n"))
            SELECT s.driver_id, s.customer_id, s.event_timestamp, s.label, \(ordered.joined(separator: ", "))
            FROM s \(joins.joined(separator: "\n"))
            ORDER BY s.strata_rid
            """
    }
}

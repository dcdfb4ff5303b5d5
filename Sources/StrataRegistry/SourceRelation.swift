import StrataPostgres

/// What PostgreSQL's catalog says about a source table: its kind, its leaf partitions with their sizes,
/// privileges and indexes, so that checks, strategy choices and parallel reads treat a partitioned table
/// as the sum of its partitions.
public struct SourceRelation: Sendable {
    /// The kind of relation (`pg_class.relkind`).
    public enum Kind: String, Sendable, Hashable {
        case table, partitionedTable, view, materializedView, foreignTable, other

        init(relkind: String) {
            switch relkind {
            case "r": self = .table
            case "p": self = .partitionedTable
            case "v": self = .view
            case "m": self = .materializedView
            case "f": self = .foreignTable
            default: self = .other
            }
        }

        /// Whether rows live in heap pages that a `ctid` range can address.
        public var isHeap: Bool { self == .table || self == .materializedView }
    }

    /// A relation that holds rows: a leaf partition, or the source itself when it is not partitioned.
    public struct Leaf: Sendable, Hashable {
        /// The object id.
        public var oid: Int64
        /// The schema-qualified name as PostgreSQL quotes it (`format('%I.%I', …)`), safe to put in SQL.
        public var quotedName: String
        /// The schema, unquoted.
        public var schema: String
        /// The name, unquoted.
        public var name: String
        public var kind: Kind
        /// The planner's row estimate; 0 when the leaf was never analysed.
        public var estimatedRows: Double
        /// Heap pages (8 kB by default) now; 0 for relations without pages (views, foreign tables).
        public var blocks: Int
        /// Whether the current user may read the leaf directly (privileges on a parent do not extend to it).
        public var readable: Bool
        /// Whether row-level security is enabled on the leaf.
        public var rowSecurity: Bool
    }

    /// The source's own kind.
    public var kind: Kind
    /// The leaf partitions of a partitioned table, else the relation itself.
    public var leaves: [Leaf]
    /// The columns of a partitioned table's top-level partition key (`(expression)` for an expression);
    /// nil when the table is not partitioned.
    public var partitionKey: [String]?
    /// Whether row-level security is enabled on the source itself.
    public var rowSecurity: Bool

    /// The planner's row estimate, summed over the leaves.
    public var estimatedRows: Double { leaves.reduce(0) { $0 + $1.estimatedRows } }
    /// Heap pages, summed over the leaves.
    public var blocks: Int { leaves.reduce(0) { $0 + $1.blocks } }

    /// The catalog's facts about `table` (validated and quoted), or nil when there is no such relation.
    public static func inspect(_ table: String, connection: PostgresConnection) throws -> SourceRelation? {
        let head = try connection.execute(
            """
            SELECT c.relkind::text, c.relrowsecurity,
                   (SELECT array_to_string(ARRAY(
                        SELECT coalesce(a.attname::text, '(expression)')
                        FROM unnest(p.partattrs::int2[]) WITH ORDINALITY AS k(attnum, n)
                        LEFT JOIN pg_attribute a ON a.attrelid = p.partrelid AND a.attnum = k.attnum
                        ORDER BY k.n), ',')
                    FROM pg_partitioned_table p WHERE p.partrelid = c.oid)
            FROM pg_class c WHERE c.oid = to_regclass($1)
            """, [.text(table)])
        guard head.rowCount == 1, let relkind = head.string(0, 0) else { return nil }
        let rows = try connection.execute(
            """
            WITH source AS (SELECT to_regclass($1) AS oid),
            leaf AS (
                SELECT t.relid AS oid FROM source, pg_partition_tree(source.oid) t WHERE t.isleaf
                UNION ALL
                SELECT source.oid FROM source JOIN pg_class c ON c.oid = source.oid WHERE c.relkind <> 'p'
            )
            SELECT c.oid::int8, format('%I.%I', n.nspname, c.relname), n.nspname::text, c.relname::text, c.relkind::text,
                   greatest(c.reltuples, 0)::float8,
                   CASE WHEN c.relkind IN ('r', 'm') THEN pg_relation_size(c.oid) / current_setting('block_size')::int8 ELSE 0 END,
                   has_table_privilege(c.oid, 'SELECT'), c.relrowsecurity
            FROM leaf JOIN pg_class c ON c.oid = leaf.oid JOIN pg_namespace n ON n.oid = c.relnamespace
            ORDER BY n.nspname, c.relname
            """, [.text(table)])
        let leaves = (0..<rows.rowCount).map { row in
            Leaf(
                oid: rows.int(row, 0) ?? 0, quotedName: rows.string(row, 1) ?? "", schema: rows.string(row, 2) ?? "",
                name: rows.string(row, 3) ?? "", kind: Kind(relkind: rows.string(row, 4) ?? ""),
                estimatedRows: rows.double(row, 5) ?? 0, blocks: Int(rows.int(row, 6) ?? 0),
                readable: rows.bool(row, 7) ?? false, rowSecurity: rows.bool(row, 8) ?? false)
        }
        return SourceRelation(
            kind: Kind(relkind: relkind), leaves: leaves,
            partitionKey: head.string(0, 2).map { $0.split(separator: ",").map(String.init) },
            rowSecurity: head.bool(0, 1) ?? false)
    }

    /// The leaves with no index whose leading columns are exactly `columns`, in order. A view or a
    /// foreign table counts as lacking it; a partitioned table has it when every partition has it
    /// (as `CREATE INDEX` on the parent makes it).
    public func leavesLackingIndex(leadingWith columns: [String], connection: PostgresConnection) throws -> [Leaf] {
        guard !leaves.isEmpty else { return [] }
        let rows = try connection.execute(
            """
            SELECT i.indrelid::int8, array_to_string(ARRAY(
                SELECT a.attname FROM unnest(i.indkey) WITH ORDINALITY AS k(attnum, n)
                JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum ORDER BY k.n), ',')
            FROM pg_index i WHERE i.indrelid = ANY($1::oid[])
            """, [.text("{" + leaves.map { String($0.oid) }.joined(separator: ",") + "}")])
        var indexed = Set<Int64>()
        for row in 0..<rows.rowCount {
            let names = (rows.string(row, 1) ?? "").split(separator: ",").map(String.init)
            if Array(names.prefix(columns.count)) == columns, let oid = rows.int(row, 0) { indexed.insert(oid) }
        }
        return leaves.filter { !indexed.contains($0.oid) }
    }
}

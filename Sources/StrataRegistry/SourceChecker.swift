import StrataCore
import StrataPostgres

/// Checks schema files against the live database: every source table exists, and every column a
/// view reads exists with a type that fits; and advises the index a point-in-time join would use.
public enum SourceChecker {
    /// The problems found, each pointing at the schema file where the object was declared.
    public static func check(_ repository: Repository, connection: PostgresConnection) throws -> [SchemaError] {
        var problems: [SchemaError] = []
        var columnsBySource: [String: [String: String]] = [:]
        for source in repository.sources {
            let at = repository.locations[ObjectPath(.source, source.name, field: "table")]
                ?? repository.locations[ObjectPath(.source, source.name)]
            guard let quoted = try? SQLIdentifier.quoteQualified(source.table) else {
                problems.append(SchemaError(.badValue, "source \(source.name): table '\(source.table)' is not a valid table name (expected table or schema.table)", at: at))
                continue
            }
            guard let columns = try columns(of: quoted, connection: connection) else {
                problems.append(SchemaError(.unknownReference, "source \(source.name): table '\(source.table)' does not exist in the database (expected an existing table or view)", at: at))
                continue
            }
            columnsBySource[source.name] = columns
            for (field, column) in [("timestamp", source.timestampColumn), ("created_timestamp", source.createdTimestampColumn)] {
                guard let column else { continue }
                let where_ = repository.locations[ObjectPath(.source, source.name, field: field)] ?? at
                guard let type = columns[column] else {
                    problems.append(SchemaError(.unknownReference, "source \(source.name): table '\(source.table)' has no column '\(column)' (its columns: \(columns.keys.sorted().joined(separator: ", ")))", at: where_))
                    continue
                }
                if !timestampTypes.contains(type) {
                    problems.append(SchemaError(.wrongType, "source \(source.name): column '\(column)' is \(type); expected timestamptz, timestamp or date", at: where_))
                }
            }
        }
        for view in repository.featureViews {
            guard let source = repository.source(named: view.source), let columns = columnsBySource[source.name] else { continue }
            let viewAt = repository.locations[ObjectPath(.featureView, view.name)]
            for entityName in view.entities {
                guard let entity = repository.entity(named: entityName) else { continue }
                let at = repository.locations[ObjectPath(.featureView, view.name, field: "entities")] ?? viewAt
                guard let type = columns[entity.joinKey] else {
                    problems.append(SchemaError(.unknownReference, "feature view \(view.name): source table '\(source.table)' has no join-key column '\(entity.joinKey)' for entity \(entity.name)", at: at))
                    continue
                }
                let allowed = entity.type == .int64 ? integerTypes : stringTypes
                if !allowed.contains(type) {
                    problems.append(SchemaError(.wrongType, "feature view \(view.name): join key '\(entity.joinKey)' is \(type) in table '\(source.table)'; entity \(entity.name) is \(entity.type.rawValue), which expects \(allowed.sorted().joined(separator: ", "))", at: at))
                }
            }
            if view.isAggregation {
                problems += checkAggregations(of: view, source: source, columns: columns, locations: repository.locations)
                continue
            }
            for feature in view.features {
                let at = repository.locations[ObjectPath(.featureView, view.name, field: "features.\(feature.name)")] ?? viewAt
                guard let type = columns[feature.name] else {
                    problems.append(SchemaError(.unknownReference, "feature view \(view.name): source table '\(source.table)' has no column '\(feature.name)' for feature \(feature.name)", at: at))
                    continue
                }
                let allowed = compatible[feature.type] ?? []
                if !allowed.contains(type) {
                    let typeAt = repository.locations[ObjectPath(.featureView, view.name, field: "features.\(feature.name).type")] ?? at
                    problems.append(SchemaError(.wrongType, "feature view \(view.name): feature \(feature.name) is declared \(feature.type.rawValue) but column '\(feature.name)' of '\(source.table)' is \(type); \(feature.type.rawValue) reads \(allowed.sorted().joined(separator: ", "))", at: typeAt))
                }
            }
        }
        return problems
    }

    /// One line per source lacking an index that leads with its join keys and event timestamp; for a
    /// partitioned table, per source with partitions lacking it, naming them.
    public static func indexAdvice(for repository: Repository, connection: PostgresConnection) throws -> [String] {
        var advice: [String] = []
        var seen = Set<String>()
        for view in repository.featureViews {
            guard let source = repository.source(named: view.source) else { continue }
            let keys = view.entities.compactMap { repository.entity(named: $0)?.joinKey }
            let wanted = keys + [source.timestampColumn]
            let id = source.table + "(" + wanted.joined(separator: ",") + ")"
            guard !seen.contains(id), let quoted = try? SQLIdentifier.quoteQualified(source.table),
                  let relation = try SourceRelation.inspect(quoted, connection: connection)
            else { continue }
            seen.insert(id)
            let lacking = try relation.leavesLackingIndex(leadingWith: wanted, connection: connection)
            guard !lacking.isEmpty else { continue }
            let columnList = (try? wanted.map(SQLIdentifier.quote).joined(separator: ", ")) ?? wanted.joined(separator: ", ")
            let create = "CREATE INDEX ON \(quoted) (\(columnList));"
            if relation.kind == .partitionedTable {
                let names = lacking.prefix(5).map(\.quotedName).joined(separator: ", ") + (lacking.count > 5 ? ", …" : "")
                advice.append(
                    "source \(source.name) is partitioned and \(lacking.count) of its \(relation.leaves.count) partitions (\(names)) have no index on (\(wanted.joined(separator: ", "))); point-in-time lookups per spine row would use one on every partition, which this creates (reusing the ones that exist): \(create)")
            } else {
                advice.append(
                    "source \(source.name) has no index on (\(wanted.joined(separator: ", "))); point-in-time lookups per spine row would use: \(create)")
            }
        }
        return advice
    }

    /// One line per partitioned source whose partition key does not start with its event timestamp:
    /// reads over a time window then scan every partition instead of only those in the window.
    public static func partitionAdvice(for repository: Repository, connection: PostgresConnection) throws -> [String] {
        var advice: [String] = []
        for source in repository.sources {
            guard let quoted = try? SQLIdentifier.quoteQualified(source.table),
                  let relation = try SourceRelation.inspect(quoted, connection: connection),
                  let key = relation.partitionKey, key.first != source.timestampColumn
            else { continue }
            advice.append(
                "source \(source.name) is partitioned by (\(key.joined(separator: ", "))), not by its event timestamp \(source.timestampColumn): training sets and materialisation over a time window read every one of its \(relation.leaves.count) partitions; PARTITION BY RANGE (\(source.timestampColumn)) lets PostgreSQL skip those outside the window")
        }
        return advice
    }

    /// Whether `table` (quoted) has an index whose leading columns are exactly `columns`, in order; for a
    /// partitioned table, whether every partition has one.
    public static func hasIndex(table: String, leadingWith columns: [String], connection: PostgresConnection) throws -> Bool {
        guard let relation = try SourceRelation.inspect(table, connection: connection), !relation.leaves.isEmpty else { return false }
        return try relation.leavesLackingIndex(leadingWith: columns, connection: connection).isEmpty
    }

    static func columns(of quotedTable: String, connection: PostgresConnection) throws -> [String: String]? {
        let exists = try connection.execute("SELECT to_regclass($1) IS NOT NULL", [.text(quotedTable)])
        guard exists.bool(0, 0) == true else { return nil }
        let rows = try connection.execute(
            """
            SELECT a.attname, t.typname FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
            WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped
            """, [.text(quotedTable)])
        var columns: [String: String] = [:]
        for row in 0..<rows.rowCount { columns[rows.string(row, 0)!] = rows.string(row, 1)! }
        return columns
    }

    static let integerTypes: Set<String> = ["int2", "int4", "int8"]
    static let stringTypes: Set<String> = ["text", "varchar", "bpchar", "name"]
    static let timestampTypes: Set<String> = ["timestamptz", "timestamp", "date"]
    static let compatible: [ValueType: Set<String>] = [
        .float64: ["float8", "float4", "numeric", "int2", "int4", "int8"],
        .float32: ["float4", "float8", "numeric", "int2", "int4"],
        .int64: ["int2", "int4", "int8"],
        .int32: ["int2", "int4"],
        .bool: ["bool"],
        .string: stringTypes,
        .timestamp: timestampTypes,
    ]
}

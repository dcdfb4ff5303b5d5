import StrataColumnar
import StrataCore
import StrataPostgres

/// What a read of a feature view's source selects, as both the offline join and materialisation
/// need it: join keys, event timestamp, created timestamp (when the source has one), then features,
/// each validated, quoted and cast to the wire type binary COPY decodes.
public struct SourceSelection: Sendable {
    /// The quoted join-key columns.
    public let keys: [String]
    /// The quoted event-timestamp column.
    public let timestamp: String
    /// The quoted created-timestamp column, when the source has one.
    public let created: String?
    /// The quoted, schema-qualified table.
    public let table: String
    /// The select list, in the order above.
    public let list: String
    /// How each selected column arrives and is decoded.
    public let copyColumns: [CopyColumn]
    /// The `ORDER BY` terms that rank rows tied in keys, event and created time by their feature values,
    /// greatest first, in `TieOrder` (the order the offline join ranks them in); append them after the
    /// event and created timestamps.
    public let tieOrder: [String]

    public init(source: Source, entities: [Entity], features: [Feature]) throws {
        var selects: [String] = []
        var columns: [CopyColumn] = []
        func select(_ quoted: String, _ column: CopyColumn) {
            selects.append("\(quoted)::\(column.wire.sqlName)")
            columns.append(column)
        }
        keys = try entities.map { try SQLIdentifier.quote($0.joinKey) }
        for (key, entity) in zip(keys, entities) { select(key, CopyColumn(entity.type == .int64 ? .int64 : .string)) }
        timestamp = try SQLIdentifier.quote(source.timestampColumn)
        select(timestamp, CopyColumn(.timestamp))
        created = try source.createdTimestampColumn.map(SQLIdentifier.quote)
        if let created { select(created, CopyColumn(.timestamp)) }
        for feature in features { select(try SQLIdentifier.quote(feature.name), CopyColumn(ColumnType(feature.type))) }
        tieOrder = try Self.tieOrder(features)
        table = try SQLIdentifier.quoteQualified(source.table)
        list = selects.joined(separator: ", ")
        copyColumns = columns
    }

    /// The `ORDER BY` terms that rank tied rows by `features` (columns of the table aliased `alias`, when
    /// given), greatest first in `TieOrder`: each value cast to the type the join reads, strings compared
    /// bytewise (`COLLATE "C"`), nulls last.
    public static func tieOrder(_ features: [Feature], alias: String? = nil) throws -> [String] {
        try features.map { feature in
            let type = ColumnType(feature.type)
            let column = (alias.map { "\($0)." } ?? "") + (try SQLIdentifier.quote(feature.name))
            let collation = type == .string ? " COLLATE \"C\"" : ""
            return "\(column)::\(WireType.carrying(type).sqlName)\(collation) DESC NULLS LAST"
        }
    }

    /// The condition every read shares: as Feast's join, rows whose created timestamp is null
    /// are never candidates. Nil when the source has no created column.
    public var createdIsPresent: String? { created.map { "\($0) IS NOT NULL" } }
}

import StrataColumnar
import StrataCore
import StrataPostgres

/// The COPY query that reads one view's rows for a join: join keys, event timestamp, created
/// timestamp (when the source has one), then the requested features, each cast to its wire type.
struct ViewExtraction {
    var sql: String
    var copyColumns: [CopyColumn]

    init(group: FeatureSelection.ViewGroup, window: ExtractionWindow) throws {
        var selects: [String] = []
        var columns: [CopyColumn] = []
        for entity in group.entities {
            let type: ColumnType = entity.type == .int64 ? .int64 : .string
            let column = CopyColumn(type)
            selects.append("\(try SQLIdentifier.quote(entity.joinKey))::\(column.wire.sqlName)")
            columns.append(column)
        }
        let ts = try SQLIdentifier.quote(group.source.timestampColumn)
        selects.append("\(ts)::timestamptz")
        columns.append(CopyColumn(.timestamp))
        if let created = group.source.createdTimestampColumn {
            selects.append("\(try SQLIdentifier.quote(created))::timestamptz")
            columns.append(CopyColumn(.timestamp))
        }
        for feature in group.features {
            let column = CopyColumn(ColumnType(feature.type))
            selects.append("\(try SQLIdentifier.quote(feature.name))::\(column.wire.sqlName)")
            columns.append(column)
        }
        let table = try SQLIdentifier.quoteQualified(group.source.table)
        var condition = window.condition(on: ts)
        if let created = group.source.createdTimestampColumn {
            // Feast's join drops source rows whose created timestamp is null; so does Strata.
            condition += " AND \(try SQLIdentifier.quote(created)) IS NOT NULL"
        }
        sql = "SELECT \(selects.joined(separator: ", ")) FROM \(table) WHERE \(condition)"
        copyColumns = columns
    }
}

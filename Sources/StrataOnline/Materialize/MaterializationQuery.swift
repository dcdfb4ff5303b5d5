import StrataColumnar
import StrataPostgres

/// The query that reads, per entity, the latest row of a view's source in a window: join keys, event
/// timestamp, created timestamp (when the source has one), then every feature in the view's order,
/// each cast to its wire type. The ordering is the offline join's: latest event timestamp, then latest
/// created timestamp (a null created counting lowest), whole row.
struct MaterializationQuery {
    var sql: String
    var copyColumns: [CopyColumn]
    let hasCreated: Bool

    /// The query for `view` over `[start, end]` (inclusive; no lower bound when `start` is nil).
    /// Identifiers are validated and quoted; the bounds are timestamps Strata formats itself (digits and
    /// separators), written as literals because COPY takes no parameters.
    init(view: OnlineView, start: Int64?, end: Int64) throws {
        var selects: [String] = []
        var columns: [CopyColumn] = []
        var keys: [String] = []
        for (entity, type) in zip(view.entities, view.keyColumnTypes) {
            let quoted = try SQLIdentifier.quote(entity.joinKey)
            let column = CopyColumn(type)
            keys.append(quoted)
            selects.append("\(quoted)::\(column.wire.sqlName)")
            columns.append(column)
        }
        let ts = try SQLIdentifier.quote(view.source.timestampColumn)
        selects.append("\(ts)::timestamptz")
        columns.append(CopyColumn(.timestamp))
        var order = keys.map { "\($0) DESC" } + ["\(ts) DESC"]
        var createdCondition: String?
        if let created = view.source.createdTimestampColumn {
            let quoted = try SQLIdentifier.quote(created)
            selects.append("\(quoted)::timestamptz")
            columns.append(CopyColumn(.timestamp))
            order.append("\(quoted) DESC")
            createdCondition = "\(quoted) IS NOT NULL"
        }
        hasCreated = view.source.createdTimestampColumn != nil
        for (feature, type) in zip(view.view.features, view.featureColumnTypes) {
            let column = CopyColumn(type)
            selects.append("\(try SQLIdentifier.quote(feature.name))::\(column.wire.sqlName)")
            columns.append(column)
        }
        var conditions = ["\(ts) <= '\(UTCTimestamp.format(end))'::timestamptz"]
        if let start { conditions.append("\(ts) >= '\(UTCTimestamp.format(start))'::timestamptz") }
        conditions += keys.map { "\($0) IS NOT NULL" }
        // As the offline join (and Feast): rows without a created timestamp are skipped.
        if let createdCondition { conditions.append(createdCondition) }
        let table = try SQLIdentifier.quoteQualified(view.source.table)
        sql = """
            SELECT DISTINCT ON (\(keys.joined(separator: ", "))) \(selects.joined(separator: ", ")) \
            FROM \(table) WHERE \(conditions.joined(separator: " AND ")) ORDER BY \(order.joined(separator: ", "))
            """
        copyColumns = columns
    }
}

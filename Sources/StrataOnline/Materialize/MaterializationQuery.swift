import StrataColumnar
import StrataOffline
import StrataPostgres

/// The query that reads, per entity, the latest row of a view's source in a window: the offline
/// join's `SourceSelection` (keys, event timestamp, created timestamp, every feature in the view's
/// order) and its ordering: latest event timestamp, then latest created timestamp, then the greatest
/// feature values (`SourceSelection.tieOrder`, the offline join's rule for tied rows), whole row.
struct MaterializationQuery {
    var sql: String
    var copyColumns: [CopyColumn]
    let hasCreated: Bool

    /// The query for `view` over `[start, end]` (inclusive; no lower bound when `start` is nil).
    /// The bounds are timestamps Strata formats itself (digits and separators), written as literals
    /// because COPY takes no parameters.
    init(view: OnlineView, start: Int64?, end: Int64) throws {
        let selection = try SourceSelection(source: view.source, entities: view.entities, features: view.view.features)
        let ts = selection.timestamp
        var conditions = ["\(ts) <= '\(UTCTimestamp.format(end))'::timestamptz"]
        if let start { conditions.append("\(ts) >= '\(UTCTimestamp.format(start))'::timestamptz") }
        conditions += selection.keys.map { "\($0) IS NOT NULL" }
        if let present = selection.createdIsPresent { conditions.append(present) }
        let order = selection.keys.map { "\($0) DESC" } + ["\(ts) DESC"] + [selection.created.map { "\($0) DESC" }].compactMap { $0 }
            + selection.tieOrder
        sql = """
            SELECT DISTINCT ON (\(selection.keys.joined(separator: ", "))) \(selection.list) \
            FROM \(selection.table) WHERE \(conditions.joined(separator: " AND ")) ORDER BY \(order.joined(separator: ", "))
            """
        copyColumns = selection.copyColumns
        hasCreated = selection.created != nil
    }
}

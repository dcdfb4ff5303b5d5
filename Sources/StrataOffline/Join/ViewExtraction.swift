import StrataColumnar
import StrataCore
import StrataPostgres

/// The COPY query that reads one view's rows for a join: `SourceSelection`'s columns for the given
/// features, over the window the spine needs, from the whole source or from one `ScanPiece` of it.
///
/// The window's bounds are constants in the query, so PostgreSQL prunes the partitions of a source
/// partitioned by its event timestamp when it plans the query (or, for a `timestamp` column compared
/// with these `timestamptz` bounds, when it starts executing it).
struct ViewExtraction {
    /// The quoted source table.
    var table: String
    /// The select list.
    var list: String
    /// The conditions every piece shares: the window and, where the source has a created column, its presence.
    var conditions: String
    var copyColumns: [CopyColumn]

    init(group: FeatureSelection.ViewGroup, features: [Feature], window: ExtractionWindow) throws {
        let selection = try SourceSelection(source: group.source, entities: group.entities, features: features)
        table = selection.table
        list = selection.list
        conditions = ([window.condition(on: selection.timestamp)] + [selection.createdIsPresent].compactMap { $0 })
            .joined(separator: " AND ")
        copyColumns = selection.copyColumns
    }

    /// The query over the whole source.
    var sql: String { sql(for: .whole(table)) }

    /// The query over one piece of the source.
    func sql(for piece: ScanPiece) -> String {
        let pages = piece.pageCondition.map { " AND \($0)" } ?? ""
        return "SELECT \(list) FROM \(piece.relation) WHERE \(conditions)\(pages)"
    }
}

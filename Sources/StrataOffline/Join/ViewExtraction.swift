import StrataColumnar
import StrataCore
import StrataPostgres

/// The COPY query that reads one view's rows for a join: `SourceSelection`'s columns for the given
/// features, over the window the spine needs.
struct ViewExtraction {
    var sql: String
    var copyColumns: [CopyColumn]

    init(group: FeatureSelection.ViewGroup, features: [Feature], window: ExtractionWindow) throws {
        let selection = try SourceSelection(source: group.source, entities: group.entities, features: features)
        let conditions = [window.condition(on: selection.timestamp)] + [selection.createdIsPresent].compactMap { $0 }
        sql = "SELECT \(selection.list) FROM \(selection.table) WHERE \(conditions.joined(separator: " AND "))"
        copyColumns = selection.copyColumns
    }
}

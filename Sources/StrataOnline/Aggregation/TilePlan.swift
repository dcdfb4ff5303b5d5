import StrataColumnar
import StrataOffline

/// How lookups read an aggregation view's tile records: the view's tile layout (all its aggregations,
/// as materialisation writes them) and where each aggregation's value goes.
struct TilePlan: Sendable {
    let layout: TileLayout
    /// For each aggregation of the layout, its position among the requested features, or -1.
    let slots: [Int]
    /// The column type of each aggregation's values.
    let types: [ColumnType]

    init(view: OnlineView, slots: [Int]) throws {
        let selection = try AggregationSelection(source: view.source, entities: view.entities, view: view.view)
        layout = selection.layout
        self.slots = slots
        types = layout.aggregations.map(\.output)
    }
}

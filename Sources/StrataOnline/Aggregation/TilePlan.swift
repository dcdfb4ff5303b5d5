import StrataColumnar
import StrataOffline

/// How lookups read an aggregation view's tile records: the view's tile layout (the inputs of all its
/// aggregations, as materialisation writes them) folding only the requested aggregations, and where
/// each one's value goes.
struct TilePlan: Sendable {
    /// The view's input fields, and the requested aggregations.
    let layout: TileLayout
    /// For each aggregation of `layout`, its position among the requested features.
    let slots: [Int]
    /// The column type of each aggregation's values.
    let types: [ColumnType]

    /// `slots` gives, for each aggregation of the view, its position among the requested features or -1.
    init(view: OnlineView, slots: [Int]) throws {
        let selection = try AggregationSelection(source: view.source, entities: view.entities, view: view.view)
        let requested = slots.indices.filter { slots[$0] >= 0 }
        layout = selection.layout.keeping(aggregations: requested)
        self.slots = requested.map { slots[$0] }
        types = layout.aggregations.map(\.output)
    }
}

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
    /// The view's longest window (µs): a record built up to `end` holds the tiles from
    /// `firstTile(end, longestWindow)` on.
    let longestWindow: Int64

    /// `slots` gives, for each aggregation of the view, its position among the requested features or -1.
    init(view: OnlineView, slots: [Int]) throws {
        let selection = try AggregationSelection(source: view.source, entities: view.entities, view: view.view)
        let requested = slots.indices.filter { slots[$0] >= 0 }
        longestWindow = selection.layout.longestWindow
        layout = selection.layout.keeping(aggregations: requested)
        self.slots = requested.map { slots[$0] }
        types = layout.aggregations.map(\.output)
    }

    /// The earliest instant (µs) at which a tile of requested aggregation `index`'s window at `at` may
    /// have left Redis: a record expires when its newest tile leaves the longest window, so no tile of
    /// the window leaves before its first tile does. One millisecond earlier, since Redis keeps
    /// deadlines in milliseconds.
    func expiry(of index: Int, at: Int64) -> Int64 {
        let hop = layout.hop
        let first = TiledWindow.firstTile(at: at, window: layout.aggregations[index].window, hop: hop)
        return UTCTimestamp.subtracting(1_000, from: TiledWindow.expiry(ofTile: first, window: longestWindow, hop: hop))
    }
}

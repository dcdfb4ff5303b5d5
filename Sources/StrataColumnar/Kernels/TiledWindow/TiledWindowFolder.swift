/// Folds one entity's stored tiles, given one by one in ascending order, into each aggregate's value
/// at an instant, as online lookups do (docs/aggregations.md): the window of length `w` at `t` takes
/// the tiles numbered `firstTile(t, w)…tile(t)`, each whole. Holds no tile, so that a lookup decodes a
/// record straight into values.
///
/// A tile holds the events of one hop, so the tile of `t` itself counts whole: exact whenever the
/// tiles were built from events up to `t` or earlier (a lookup at or after the materialised end), or
/// when `t` ends its tile, or that tile holds no events (`holdsTileOfInstant`).
public struct TiledWindowFolder {
    /// One aggregate's partial so far; which fields mean what depends on its function.
    struct State {
        var count: Int64 = 0
        var sum: Double = 0
        var squares: Double = 0
        var value: UInt64 = 0
        var time: Int64 = 0
        var created: Int64 = 0
    }

    let layout: TileLayout
    var firstTiles: [Int64]
    var lastTile: Int64 = 0
    /// The first tile of the longest window: earlier tiles count for no aggregate.
    var earliest: Int64 = 0
    var states: [State]
    /// Whether a tile holding events was added for the tile of the instant itself.
    public private(set) var holdsTileOfInstant = false

    /// A folder for `layout`'s aggregates at instant `time`.
    public init(layout: TileLayout, at time: Int64) {
        self.layout = layout
        firstTiles = [Int64](repeating: 0, count: layout.aggregations.count)
        states = [State](repeating: State(), count: layout.aggregations.count)
        reset(at: time)
    }

    /// Starts over, for instant `time`.
    public mutating func reset(at time: Int64) {
        lastTile = TiledWindow.tile(of: time, hop: layout.hop)
        for (a, aggregation) in layout.aggregations.enumerated() {
            firstTiles[a] = TiledWindow.firstTile(at: time, window: aggregation.window, hop: layout.hop)
            states[a] = State()
        }
        holdsTileOfInstant = false
        earliest = firstTiles.min() ?? lastTile
    }

    /// Adds tile `number` (greater than the numbers added before) holding `events` events and, per
    /// input column of the layout, `fields`.
    /// - Complexity: O(aggregates).
    public mutating func add(number: Int64, events: Int64, fields: UnsafeBufferPointer<TileFields>) {
        guard number <= lastTile, number >= earliest else { return }
        if number == lastTile, events > 0 { holdsTileOfInstant = true }
        for (a, aggregation) in layout.aggregations.enumerated() where number >= firstTiles[a] {
            guard let c = aggregation.input else {
                states[a].count &+= events
                continue
            }
            let tile = fields[c]
            guard tile.count > 0 else { continue }
            let kind = layout.inputs[c].kind
            var state = states[a]
            switch aggregation.function {
            case .count:
                state.count &+= tile.count
            case .sum, .mean:
                let merged = SumPartial.combine(SumPartial(count: state.count, sum: state.sum), SumPartial(count: tile.count, sum: tile.sum))
                state.count = merged.count
                state.sum = merged.sum
            case .stddev:
                let merged = MomentsPartial.combine(
                    MomentsPartial(count: state.count, sum: state.sum, squares: state.squares),
                    MomentsPartial(count: tile.count, sum: tile.sum, squares: tile.squares))
                state.count = merged.count
                state.sum = merged.sum
                state.squares = merged.squares
            case .min:
                state.value = kind == .double
                    ? MinPartial<DoubleOrder>.combine(.init(count: state.count, value: state.value), .init(count: tile.count, value: tile.min)).value
                    : MinPartial<IntegerOrder>.combine(.init(count: state.count, value: state.value), .init(count: tile.count, value: tile.min)).value
                state.count &+= tile.count
            case .max:
                state.value = kind == .double
                    ? MaxPartial<DoubleOrder>.combine(.init(count: state.count, value: state.value), .init(count: tile.count, value: tile.max)).value
                    : MaxPartial<IntegerOrder>.combine(.init(count: state.count, value: state.value), .init(count: tile.count, value: tile.max)).value
                state.count &+= tile.count
            case .last:
                let older = (state.count, state.time, state.created, state.value)
                let newer = (tile.count, tile.lastTime, tile.lastCreated, tile.last)
                let merged: (Int64, Int64, Int64, UInt64)
                if kind == .double {
                    let p = LastPartial<DoubleOrder>.combine(.init(count: older.0, time: older.1, created: older.2, value: older.3), .init(count: newer.0, time: newer.1, created: newer.2, value: newer.3))
                    merged = (p.count, p.time, p.created, p.value)
                } else {
                    let p = LastPartial<IntegerOrder>.combine(.init(count: older.0, time: older.1, created: older.2, value: older.3), .init(count: newer.0, time: newer.1, created: newer.2, value: newer.3))
                    merged = (p.count, p.time, p.created, p.value)
                }
                (state.count, state.time, state.created, state.value) = merged
            }
            states[a] = state
        }
    }

    /// The first tile of aggregate `a`'s window.
    public func firstTile(_ a: Int) -> Int64 { firstTiles[a] }

    /// Aggregate `a`'s value over the tiles added.
    public func value(_ a: Int) -> WindowValue {
        let state = states[a]
        switch layout.aggregations[a].function {
        case .count: return .integer(state.count)
        case _ where state.count == 0: return .null
        case .sum: return .double(state.sum)
        case .mean: return .double(state.sum / Double(state.count))
        case .stddev: return MomentsPartial(count: state.count, sum: state.sum, squares: state.squares).deviation.map(WindowValue.double) ?? .null
        case .min, .max, .last: return WindowValue(bits: state.value, isNull: false)
        }
    }
}

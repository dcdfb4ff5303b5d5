/// Folds one entity's stored tiles into each aggregate's value at an instant, as online lookups do
/// (docs/aggregations.md): the window of length `w` at `t` takes the tiles numbered
/// `firstTile(t, w)…tile(t)`, each whole.
///
/// A tile holds the events of one hop, so the tile of `t` itself counts whole: exact whenever the
/// tiles were built from events up to `t` or earlier (a lookup at or after the materialised end).
public enum TiledWindowFold {
    /// Sets `values[a]` to aggregate `a`'s value at `time` over `tiles`, whose tile numbers are
    /// `numbers` (ascending, one per tile). `values` is resized to the layout's aggregates.
    /// - Complexity: O(aggregates × (log n + tiles in the window)).
    public static func values(of tiles: TileStore, numbers: [Int64], at time: Int64, into values: inout [WindowValue]) {
        precondition(numbers.count == tiles.count, "One tile number per tile")
        let layout = tiles.layout
        if values.count != layout.aggregations.count {
            values = [WindowValue](repeating: .null, count: layout.aggregations.count)
        }
        let last = upperBound(numbers, TiledWindow.tile(of: time, hop: layout.hop))
        for (a, aggregation) in layout.aggregations.enumerated() {
            let first = lowerBound(numbers, TiledWindow.firstTile(at: time, window: aggregation.window, hop: layout.hop))
            var fold = RangeFold(range: first..<Swift.max(first, last))
            values[a] = tiles.visit(aggregation, &fold)
        }
    }

    /// The first index whose number is at least `value`.
    static func lowerBound(_ numbers: [Int64], _ value: Int64) -> Int {
        var low = 0, high = numbers.count
        while low < high {
            let mid = (low + high) >> 1
            if numbers[mid] < value { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// The first index whose number is greater than `value`.
    static func upperBound(_ numbers: [Int64], _ value: Int64) -> Int {
        var low = 0, high = numbers.count
        while low < high {
            let mid = (low + high) >> 1
            if numbers[mid] <= value { low = mid + 1 } else { high = mid }
        }
        return low
    }
}

/// Folds the tiles of a range, oldest first.
struct RangeFold: TileReaderVisitor {
    let range: Range<Int>

    mutating func visit<Reader: TileReader>(_ reader: Reader) -> WindowValue {
        var folded = Reader.Partial.identity
        for index in range { folded = Reader.Partial.combine(folded, reader.partial(at: index)) }
        return reader.value(folded)
    }
}

/// The arithmetic of tiled windows (docs/aggregations.md): time is cut into tiles of one hop, tile
/// `k` holding the event times in `(k·hop, (k+1)·hop]`; the window of length `window` at instant `t`
/// holds the events in `(start, t]`, `start` being `t − window` rounded down to a multiple of the hop,
/// so that it is the events of tiles `firstTile(t)…tile(t)` that are not after `t`.
///
/// Every function here works in tile numbers, never multiplying a tile back into a time, so that no
/// instant (PostgreSQL's ±infinity included) overflows.
public enum TiledWindow {
    /// The tile holding event time `time`: `⌈time / hop⌉ − 1`.
    @inlinable @inline(__always)
    public static func tile(of time: Int64, hop: Int64) -> Int64 {
        let quotient = time / hop
        return time % hop > 0 ? quotient : quotient - 1
    }

    /// The first tile of the window of length `window` (a multiple of `hop`) at instant `time`:
    /// `⌊(time − window) / hop⌋`.
    @inlinable @inline(__always)
    public static func firstTile(at time: Int64, window: Int64, hop: Int64) -> Int64 {
        floorDivide(time, hop) - window / hop
    }

    /// `⌊a / b⌋` for `b > 0`.
    @inlinable @inline(__always)
    public static func floorDivide(_ a: Int64, _ b: Int64) -> Int64 {
        let quotient = a / b
        return a % b < 0 ? quotient - 1 : quotient
    }

    /// The first instant (µs) of tile `tile`, exclusive: `tile · hop`, saturating at Int64's bounds.
    public static func start(ofTile tile: Int64, hop: Int64) -> Int64 {
        let (product, overflow) = tile.multipliedReportingOverflow(by: hop)
        return overflow ? (tile < 0 ? .min : .max) : product
    }

    /// The instant (µs) from which tile `tile` is outside every window of length `window`:
    /// `(tile + 1) · hop + window`, saturating at Int64's bounds.
    public static func expiry(ofTile tile: Int64, window: Int64, hop: Int64) -> Int64 {
        // `tile(of:)` never returns Int64.max, so the next tile exists.
        let end = start(ofTile: tile + 1, hop: hop)
        let (sum, overflow) = end.addingReportingOverflow(window)
        return overflow ? .max : sum
    }
}

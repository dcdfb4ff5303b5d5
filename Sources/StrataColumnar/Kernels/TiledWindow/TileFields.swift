/// The partial aggregates of one input column in one tile, as a record stores them; fields the
/// column's layout does not keep are 0.
public struct TileFields: Sendable, Hashable {
    /// Non-null values.
    public var count: Int64 = 0
    public var sum: Double = 0
    /// Sum of squared deviations from the mean.
    public var squares: Double = 0
    public var min: UInt64 = 0
    public var max: UInt64 = 0
    /// Event time and created time (Int64.min when none) of the latest value, and the value.
    public var lastTime: Int64 = 0
    public var lastCreated: Int64 = 0
    public var last: UInt64 = 0

    public init() {}
}

extension TileStore {
    /// The fields of input `input` in tile `index`.
    public func fields(ofTile index: Int, input: Int) -> TileFields {
        let fields = layout.inputs[input], stored = inputs[input]
        var result = TileFields()
        result.count = stored.count[index]
        if fields.sum { result.sum = stored.sum[index] }
        if fields.squares { result.squares = stored.squares[index] }
        if fields.min { result.min = stored.min[index] }
        if fields.max { result.max = stored.max[index] }
        if fields.last {
            result.lastTime = stored.lastTime[index]
            result.lastCreated = stored.lastCreated[index]
            result.last = stored.last[index]
        }
        return result
    }
}

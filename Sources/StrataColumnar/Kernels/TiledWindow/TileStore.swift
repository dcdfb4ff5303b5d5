/// Partial aggregates of many tiles (or of any disjoint sets of events), stored field by field in
/// contiguous arrays: the number of events, and per input column the fields its `TileLayout` asks for.
/// Values of `min`, `max` and `last` are 64-bit patterns of a `Double` or an `Int64`, by the column's kind.
public struct TileStore: Sendable {
    /// The fields of one input column, one element per tile; unused fields stay empty.
    public struct Input: Sendable {
        /// Non-null values.
        public var count: [Int64] = []
        public var sum: [Double] = []
        /// Sum of squared deviations from the mean.
        public var squares: [Double] = []
        public var min: [UInt64] = []
        public var max: [UInt64] = []
        /// Event time and created time (Int64.min when none) of the latest value.
        public var lastTime: [Int64] = []
        public var lastCreated: [Int64] = []
        public var last: [UInt64] = []
    }

    /// What each tile holds.
    public let layout: TileLayout
    /// Events per tile.
    public var events: [Int64] = []
    /// Per input column, its fields.
    public var inputs: [Input]

    /// The number of tiles.
    public var count: Int { events.count }

    /// An empty store for `layout`.
    public init(layout: TileLayout) {
        self.layout = layout
        inputs = layout.inputs.map { _ in Input() }
    }

    /// Appends `n` tiles of no events.
    /// - Complexity: O(n × fields).
    public mutating func appendEmpty(_ n: Int) {
        events.append(contentsOf: repeatElement(0, count: n))
        for (c, fields) in layout.inputs.enumerated() {
            inputs[c].count.append(contentsOf: repeatElement(0, count: n))
            if fields.sum { inputs[c].sum.append(contentsOf: repeatElement(0, count: n)) }
            if fields.squares { inputs[c].squares.append(contentsOf: repeatElement(0, count: n)) }
            if fields.min { inputs[c].min.append(contentsOf: repeatElement(0, count: n)) }
            if fields.max { inputs[c].max.append(contentsOf: repeatElement(0, count: n)) }
            if fields.last {
                inputs[c].lastTime.append(contentsOf: repeatElement(0, count: n))
                inputs[c].lastCreated.append(contentsOf: repeatElement(0, count: n))
                inputs[c].last.append(contentsOf: repeatElement(0, count: n))
            }
        }
    }

    /// Removes every tile, keeping the capacity.
    public mutating func removeAll() {
        events.removeAll(keepingCapacity: true)
        for c in inputs.indices {
            inputs[c].count.removeAll(keepingCapacity: true)
            inputs[c].sum.removeAll(keepingCapacity: true)
            inputs[c].squares.removeAll(keepingCapacity: true)
            inputs[c].min.removeAll(keepingCapacity: true)
            inputs[c].max.removeAll(keepingCapacity: true)
            inputs[c].lastTime.removeAll(keepingCapacity: true)
            inputs[c].lastCreated.removeAll(keepingCapacity: true)
            inputs[c].last.removeAll(keepingCapacity: true)
        }
    }

    /// Adds events to tiles: event `row` goes to tile `tiles[row]` (negative: left out) with event
    /// time `times[row]`, created time `created?[row]` (Int64.min for none or null) and the values of
    /// `values` (one column per input, typed as `TileInputs` reads them; nulls are skipped).
    /// - Complexity: O(rows × inputs).
    public mutating func add(tiles: [Int], times: [Int64], created: [Int64]?, values: [Column]) {
        precondition(values.count == inputs.count, "One value column per input")
        events.withUnsafeMutableBufferPointer { events in
            for tile in tiles where tile >= 0 { events[tile] += 1 }
        }
        for c in inputs.indices {
            let column = values[c]
            let fields = layout.inputs[c]
            let doubles = fields.kind == .double || fields.sum ? TileInputs.doubles(column) : []
            let integers = fields.kind == .integer ? TileInputs.integers(column) : []
            let validity = column.validity
            switch fields.kind {
            case .double:
                inputs[c].add(tiles: tiles, times: times, created: created, doubles: doubles, bits: doubles, validity: validity, fields: fields, order: DoubleOrder.self)
            case .integer:
                inputs[c].add(tiles: tiles, times: times, created: created, doubles: doubles, bits: integers, validity: validity, fields: fields, order: IntegerOrder.self)
            }
        }
    }

    /// Removes the tiles that hold no event, in place, keeping the others in order.
    /// - Complexity: O(tiles × fields).
    public mutating func removeEmptyTiles() {
        let kept = events.indices.filter { events[$0] > 0 }
        func compact<T>(_ values: inout [T]) {
            guard !values.isEmpty else { return }
            for (to, from) in kept.enumerated() { values[to] = values[from] }
            values.removeLast(values.count - kept.count)
        }
        compact(&events)
        for c in inputs.indices {
            compact(&inputs[c].count)
            compact(&inputs[c].sum)
            compact(&inputs[c].squares)
            compact(&inputs[c].min)
            compact(&inputs[c].max)
            compact(&inputs[c].lastTime)
            compact(&inputs[c].lastCreated)
            compact(&inputs[c].last)
        }
    }

    /// The tiles at `indices`, in that order.
    /// - Complexity: O(indices × fields).
    public func take(_ indices: [Int]) -> TileStore {
        func pick<T>(_ values: [T]) -> [T] { values.isEmpty ? [] : indices.map { values[$0] } }
        var result = TileStore(layout: layout)
        result.events = pick(events)
        for c in inputs.indices {
            let input = inputs[c]
            result.inputs[c] = Input(
                count: pick(input.count), sum: pick(input.sum), squares: pick(input.squares), min: pick(input.min),
                max: pick(input.max), lastTime: pick(input.lastTime), lastCreated: pick(input.lastCreated), last: pick(input.last))
        }
        return result
    }
}

extension TileStore.Input {
    /// Folds non-null values into their tiles; `bits` are the values as the column's kind holds them
    /// (`Double` or `Int64`), `doubles` the values as numbers where a sum needs them.
    mutating func add<Bits: BitwiseCopyable, Order: TileValueOrder>(
        tiles: [Int], times: [Int64], created: [Int64]?, doubles: [Double], bits: [Bits], validity: Bitmap?,
        fields: TileLayout.Fields, order: Order.Type
    ) {
        precondition(MemoryLayout<Bits>.size == 8)
        for row in tiles.indices {
            let tile = tiles[row]
            guard tile >= 0, validity?[row] ?? true else { continue }
            let previous = count[tile]
            count[tile] = previous + 1
            if fields.sum {
                let x = doubles[row]
                if fields.squares && previous > 0 {
                    let n = Double(previous)
                    let deviation = x - sum[tile] / n
                    squares[tile] += deviation * deviation * (n / (n + 1))
                }
                sum[tile] += x
            }
            let value = unsafeBitCast(bits[row], to: UInt64.self)
            if fields.min && (previous == 0 || Order.greater(min[tile], value)) { min[tile] = value }
            if fields.max && (previous == 0 || Order.greater(value, max[tile])) { max[tile] = value }
            if fields.last {
                let time = times[row], made = created?[row] ?? .min
                if previous == 0
                    || LastPartial<Order>.isLater(time, made, value, than: lastTime[tile], lastCreated[tile], last[tile])
                {
                    lastTime[tile] = time
                    lastCreated[tile] = made
                    last[tile] = value
                }
            }
        }
    }
}

/// Reads input columns as the tile kernels need them.
public enum TileInputs {
    /// The values of a numeric, bool or timestamp column as `Double` (unspecified under nulls).
    public static func doubles(_ column: Column) -> [Double] {
        switch column.storage {
        case .float64(let v): v
        case .float32(let v): v.map(Double.init)
        case .int64(let v), .timestamp(let v): v.map(Double.init)
        case .int32(let v): v.map(Double.init)
        case .bool(let v): v.map { $0 ? 1 : 0 }
        case .string: preconditionFailure("Tile inputs are numeric, bool or timestamp columns")
        }
    }

    /// The values of an integer, bool or timestamp column as `Int64` (unspecified under nulls).
    public static func integers(_ column: Column) -> [Int64] {
        switch column.storage {
        case .int64(let v), .timestamp(let v): v
        case .int32(let v): v.map(Int64.init)
        case .bool(let v): v.map { $0 ? 1 : 0 }
        case .float64, .float32, .string: preconditionFailure("Integer tile inputs are integer, bool or timestamp columns")
        }
    }
}

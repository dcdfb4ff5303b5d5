import StrataColumnar
import Testing

/// Events and aggregates drawn at random, and the brute-force answer they must give.
private struct WindowCase {
    var hop: Int64
    var aggregations: [TiledAggregation]
    var layout: TileLayout
    var keys: [Int64] = []
    var times: [Int64?] = []
    var created: [Int64?] = []
    var doubles: [Double?] = []
    var integers: [Int64?] = []

    /// Inputs: 0 a float64 column (double kind), 1 an int64 column (integer kind).
    init(rng: inout SplitMix64) {
        hop = [Int64(1), 2, 3, 5].randomElement(using: &rng)!
        var aggregations: [TiledAggregation] = []
        for function in WindowFunction.allCases {
            for _ in 0..<2 {
                let window = hop * Int64.random(in: 1...6, using: &rng)
                let integer = rng.chance(0.5) && !function.isArithmetic
                let output: ColumnType = switch function {
                case .count: .int64
                case .sum, .mean, .stddev: .float64
                default: integer ? .int64 : .float64
                }
                let input: Int? = function == .count && rng.chance(0.4) ? nil : (integer || (function == .count && rng.chance(0.5)) ? 1 : 0)
                aggregations.append(TiledAggregation(function: function, input: input, window: window, output: output))
            }
        }
        self.aggregations = aggregations
        layout = TileLayout(hop: hop, inputKinds: [.double, .integer], aggregations: aggregations)
        let eventCount = Int.random(in: 0...150, using: &rng)
        for _ in 0..<eventCount {
            keys.append(rng.chance(0.03) ? -1 : Int64.random(in: 0..<5, using: &rng))
            // Times on tile boundaries are common, to hit the half-open edges; duplicates happen.
            let time = rng.chance(0.3) ? hop * Int64.random(in: -3...12, using: &rng) : Int64.random(in: -10...60, using: &rng)
            times.append(rng.chance(0.02) ? nil : time)
            created.append(rng.chance(0.3) ? nil : Int64.random(in: 0...3, using: &rng))
            doubles.append(rng.chance(0.2) ? nil : Double(Int.random(in: -20...20, using: &rng)) / 4)
            integers.append(rng.chance(0.2) ? nil : Int64.random(in: -5...5, using: &rng))
        }
    }

    var inputColumns: [Column] { [Column(float64: doubles), Column(int64: integers)] }

    /// Aggregate `a` at `time` for `key`, by scanning every event.
    func expected(_ a: Int, key: Int64, at time: Int64) -> WindowValue {
        let aggregation = aggregations[a]
        let first = TiledWindow.firstTile(at: time, window: aggregation.window, hop: hop)
        var rows: [Int] = []
        for row in keys.indices where keys[row] == key && key >= 0 {
            guard let t = times[row], t <= time, TiledWindow.tile(of: t, hop: hop) >= first else { continue }
            rows.append(row)
        }
        guard let input = aggregation.input else { return WindowValue(bits: UInt64(rows.count), isNull: false) }
        let present = rows.filter { input == 0 ? doubles[$0] != nil : integers[$0] != nil }
        let numbers = present.map { input == 0 ? doubles[$0]! : Double(integers[$0]!) }
        func bits(_ row: Int) -> UInt64 {
            input == 0 ? doubles[row]!.bitPattern : UInt64(bitPattern: integers[row]!)
        }
        switch aggregation.function {
        case .count: return WindowValue(bits: UInt64(present.count), isNull: false)
        case _ where present.isEmpty: return .null
        case .sum: return WindowValue(bits: numbers.reduce(0, +).bitPattern, isNull: false)
        case .mean: return WindowValue(bits: (numbers.reduce(0, +) / Double(numbers.count)).bitPattern, isNull: false)
        case .stddev:
            let mean = numbers.reduce(0, +) / Double(numbers.count)
            let variance = numbers.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(numbers.count)
            return WindowValue(bits: variance.squareRoot().bitPattern, isNull: false)
        case .min: return WindowValue(bits: bits(present.min { numbers[present.firstIndex(of: $0)!] < numbers[present.firstIndex(of: $1)!] }!), isNull: false)
        case .max: return WindowValue(bits: bits(present.max { numbers[present.firstIndex(of: $0)!] < numbers[present.firstIndex(of: $1)!] }!), isNull: false)
        case .last:
            let latest = present.max { a, b in
                let x = (times[a]!, created[a] ?? .min), y = (times[b]!, created[b] ?? .min)
                if x != y { return x < y }
                return (input == 0 ? doubles[a]! : Double(integers[a]!)) < (input == 0 ? doubles[b]! : Double(integers[b]!))
            }!
            return WindowValue(bits: bits(latest), isNull: false)
        }
    }

    /// Whether `value` (from a column of the aggregate's output type) matches `expected`.
    func matches(_ column: Column, row: Int, _ expected: WindowValue, _ a: Int) -> Bool {
        if column.isNull(row) { return expected.isNull }
        guard !expected.isNull else { return false }
        switch aggregations[a].function {
        case .count: return column.int64(at: row) == Int64(bitPattern: expected.bits)
        case .sum, .mean, .stddev: return close(column.float64(at: row)!, Double(bitPattern: expected.bits), relative: 1e-12, absolute: 1e-12)
        default:
            return aggregations[a].output == .int64
                ? column.int64(at: row) == Int64(bitPattern: expected.bits)
                : column.float64(at: row) == Double(bitPattern: expected.bits)
        }
    }
}

@Suite("Tiled windows")
struct TiledWindowTests {
    @Test func tilesAreHalfOpenOnTheLeft() {
        #expect(TiledWindow.tile(of: 10, hop: 5) == 1)
        #expect(TiledWindow.tile(of: 11, hop: 5) == 2)
        #expect(TiledWindow.tile(of: 0, hop: 5) == -1)
        #expect(TiledWindow.tile(of: -5, hop: 5) == -2)
        #expect(TiledWindow.tile(of: -4, hop: 5) == -1)
        // The window of 10 at 12 starts at 0 (12 − 10 rounded down to 5): tiles 0 (events in (0, 5]) on.
        #expect(TiledWindow.firstTile(at: 12, window: 10, hop: 5) == 0)
        #expect(TiledWindow.firstTile(at: 15, window: 10, hop: 5) == 1)
        #expect(TiledWindow.firstTile(at: Int64.max, window: 10, hop: 5) > 0)
        #expect(TiledWindow.firstTile(at: Int64.min, window: 10, hop: 5) < 0)
        #expect(TiledWindow.expiry(ofTile: Int64.max / 5, window: 10, hop: 5) == Int64.max)
    }

    /// The streaming accumulator, fed in random batches, gives every aggregate's brute-force value at
    /// every probe, probes and events sharing times and tile boundaries, with computed slots and hashed.
    @Test(arguments: 0..<200, [TiledWindowAccumulator.denseFactor, 0])
    func accumulatorAgreesWithBruteForce(seed: Int, denseSlotsPerProbe: Int) {
        var rng = SplitMix64(seed: UInt64(seed) &* 0x9E37_79B9 &+ 11)
        let data = WindowCase(rng: &rng)
        let probeCount = Int.random(in: 0...50, using: &rng)
        let probeKeys = (0..<probeCount).map { _ in rng.chance(0.05) ? -1 : Int64.random(in: 0..<6, using: &rng) }
        let probeTimes = (0..<probeCount).map { _ -> Int64? in
            rng.chance(0.02) ? nil : (rng.chance(0.4) ? data.hop * Int64.random(in: -2...13, using: &rng) : Int64.random(in: -12...65, using: &rng))
        }
        var accumulator = TiledWindowAccumulator(
            probeKeys: probeKeys, probeTimes: Column(timestamp: probeTimes), layout: data.layout, denseSlotsPerProbe: denseSlotsPerProbe)
        let inputs = data.inputColumns
        let times = Column(timestamp: data.times), created = Column(timestamp: data.created)
        var start = 0
        while start < data.keys.count {
            let end = min(data.keys.count, start + Int.random(in: 1...40, using: &rng))
            let rows = Array(start..<end)
            accumulator.add(
                keys: Array(data.keys[start..<end]), times: times.take(indices: rows), created: created.take(indices: rows),
                values: inputs.map { $0.take(indices: rows) })
            start = end
        }
        let result = accumulator.finish()
        #expect(result.count == data.aggregations.count)
        for a in data.aggregations.indices {
            #expect(result[a].type == data.aggregations[a].output)
            for row in 0..<probeCount {
                let expected = probeTimes[row].map { data.expected(a, key: probeKeys[row], at: $0) }
                    ?? (data.aggregations[a].function == .count ? WindowValue(bits: 0, isNull: false) : .null)
                #expect(data.matches(result[a], row: row, expected, a), "seed \(seed), aggregate \(a) \(data.aggregations[a]), probe \(row)")
            }
        }
    }

    /// Tiles built from every event, folded at instants at or after the last event, give the
    /// brute-force values, as online lookups need.
    @Test(arguments: 0..<100)
    func folderOfWholeTilesAgreesAfterTheLastEvent(seed: Int) {
        var rng = SplitMix64(seed: UInt64(seed) &* 0x51_7CC1 &+ 5)
        let data = WindowCase(rng: &rng)
        let key: Int64 = 2
        let rows = data.keys.indices.filter { data.keys[$0] == key && data.times[$0] != nil }
        let numbers = Array(Set(rows.map { TiledWindow.tile(of: data.times[$0]!, hop: data.hop) })).sorted()
        var tiles = TileStore(layout: data.layout)
        tiles.appendEmpty(numbers.count)
        let inputs = data.inputColumns
        tiles.add(
            tiles: rows.map { numbers.firstIndex(of: TiledWindow.tile(of: data.times[$0]!, hop: data.hop))! },
            times: rows.map { data.times[$0]! }, created: rows.map { data.created[$0] ?? .min },
            values: inputs.map { $0.take(indices: rows) })
        let latest = rows.map { data.times[$0]! }.max() ?? 0
        for time in [latest, latest + 1, latest + data.hop, latest + 7, latest + 40] {
            var folder = TiledWindowFolder(layout: data.layout, at: time)
            for (index, number) in numbers.enumerated() {
                let fields = (0..<2).map { tiles.fields(ofTile: index, input: $0) }
                fields.withUnsafeBufferPointer { folder.add(number: number, events: tiles.events[index], fields: $0) }
            }
            for a in data.aggregations.indices {
                let column = WindowValueColumn.column(folder.value(a), type: data.aggregations[a].output)
                #expect(data.matches(column, row: 0, data.expected(a, key: key, at: time), a), "seed \(seed), aggregate \(a), at \(time)")
            }
        }
    }
}

/// A one-row column holding a fold's value, to compare it as the accumulator's results are compared.
private enum WindowValueColumn {
    static func column(_ value: WindowValue, type: ColumnType) -> Column {
        if value.isNull { return Column.nulls(type, count: 1) }
        switch type {
        case .int64: return Column(int64: [Int64(bitPattern: value.bits)])
        default: return Column(float64: [Double(bitPattern: value.bits)])
        }
    }
}

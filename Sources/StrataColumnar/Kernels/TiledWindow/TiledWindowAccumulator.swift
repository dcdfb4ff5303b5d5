/// A streaming tiled-window join (docs/aggregations.md): probe rows (key, time t) are held, events
/// arrive in batches in any order and are never stored, and each probe row ends with, per aggregate,
/// the value over its key's events in `(start, t]`, `start` being `t − window` rounded down to the hop.
///
/// How: probes are sorted by (key, time). An event goes to its *entry* probe — the first probe of its
/// key at or after its time — and, within it, to its tile; the pair is a *segment*, whose partial
/// aggregates it joins. Segments are disjoint and, sorted by (entry, tile), in time order, so that the
/// window of each probe is a run of segments that only moves forward as the probe time grows: events of
/// later entries join at its head, tiles older than `start` leave at its tail. One sweep per aggregate
/// folds that run with two stacks (suffix folds of the older part, a running fold of the newer part),
/// so each segment is combined a constant number of times, and partial sums are only ever added, never
/// subtracted. The head of a window is exact because segments split tiles at probe times.
///
/// Segments are found one of two ways. When the tiles each probe can be entry of (from the previous
/// probe's tile, or the start of its longest window, to its own) number at most `denseSlotsPerProbe` per
/// probe in all, every such segment gets a slot at a position computed from the probe and the tile:
/// no hashing, and the slots are in sweep order already. Otherwise (probes far apart beside the hop)
/// only the segments that receive events are kept, found by a hash map and sorted at the end.
///
/// Memory: the probes plus the segments — at most `denseFactor` slots per probe, or one per non-empty
/// (entry probe, tile) within the longest window — proportional to the spine and the tiles it
/// reaches, not to the events.
public struct TiledWindowAccumulator {
    let layout: TileLayout
    let hop: Int64
    /// Tiles per segment key range: the longest window in tiles, plus one for the head tile.
    let span: Int64
    let keyStarts: [Int]
    let sortedTimes: [Int64]
    let sortedRows: [Int32]
    /// The tile of each sorted probe's time.
    let headTiles: [Int64]
    /// The first tile of each sorted probe's longest window.
    let reach: [Int64]
    let probeCount: Int
    /// With dense slots, each sorted probe's first slot (`count + 1` values) and first tile; else empty.
    let slotStarts: [Int]
    let lowTiles: [Int64]
    var dictionary = Int64Dictionary()
    /// Each segment's key, `entry × span + (tile − reach)`, in code order.
    var segmentKeys: [Int64] = []
    var tiles: TileStore
    var batchKeys: [Int64] = []
    var batchValid: [UInt64] = []
    var batchCodes: [Int64] = []

    /// Prepares for probes with key codes `probeKeys` (from `KeyEncoder`; negative = null key, never
    /// matched) and times `probeTimes` (null = never matched). Segments get computed slots while those
    /// number at most `denseSlotsPerProbe` per probe (counting at least 1,024 probes), else are hashed.
    /// - Complexity: O(p log p) for p probe rows.
    public init(
        probeKeys: [Int64], probeTimes: Column, layout: TileLayout, denseSlotsPerProbe: Int = TiledWindowAccumulator.denseFactor
    ) {
        precondition(probeKeys.count == probeTimes.count, "Probe keys and times differ in length")
        precondition(probeKeys.count < Int(Int32.max), "Too many probe rows")
        precondition(layout.hop > 0 && layout.aggregations.allSatisfy { $0.window > 0 && $0.window % layout.hop == 0 })
        self.layout = layout
        hop = layout.hop
        span = layout.longestWindow / layout.hop + 1
        probeCount = probeKeys.count
        let times = probeTimes.integerValues
        var keyCount = 0
        for k in probeKeys where k >= 0 { keyCount = Swift.max(keyCount, Int(k) + 1) }
        var starts = [Int](repeating: 0, count: keyCount + 1)
        for (row, k) in probeKeys.enumerated() where k >= 0 && probeTimes.isValid(row) { starts[Int(k) + 1] += 1 }
        for k in 0..<keyCount { starts[k + 1] += starts[k] }
        // Each key's probes are sorted by (time, row) as packed pairs, without looking times up.
        var cursor = starts
        var entries = [(time: Int64, row: Int32)](repeating: (0, 0), count: starts[keyCount])
        for (row, k) in probeKeys.enumerated() where k >= 0 && probeTimes.isValid(row) {
            entries[cursor[Int(k)]] = (times[row], Int32(row))
            cursor[Int(k)] += 1
        }
        entries.withUnsafeMutableBufferPointer { buffer in
            for k in 0..<keyCount where starts[k + 1] - starts[k] > 1 {
                var bucket = UnsafeMutableBufferPointer(rebasing: buffer[starts[k]..<starts[k + 1]])
                bucket.sort { a, b in a.time != b.time ? a.time < b.time : a.row < b.row }
            }
        }
        let rows = entries.map(\.row)
        keyStarts = starts
        sortedRows = rows
        sortedTimes = entries.map(\.time)
        let hop = layout.hop, longest = layout.longestWindow
        headTiles = sortedTimes.map { TiledWindow.tile(of: $0, hop: hop) }
        reach = sortedTimes.map { TiledWindow.firstTile(at: $0, window: longest, hop: hop) }
        tiles = TileStore(layout: layout)
        // A probe is the entry of events after the previous probe of its key, so of its tiles from
        // the previous probe's tile (or its longest window's first) to its own.
        var lows = reach
        var slots = [Int](repeating: 0, count: rows.count + 1)
        let limit = denseSlotsPerProbe * Swift.max(rows.count, 1024)
        var total = 0
        keys: for k in 0..<keyCount {
            for p in starts[k]..<starts[k + 1] {
                if p > starts[k] { lows[p] = Swift.max(lows[p], headTiles[p - 1]) }
                slots[p] = total
                total += Int(headTiles[p] - lows[p]) + 1
                if total > limit { break keys }
            }
        }
        if total <= limit {
            slots[rows.count] = total
            slotStarts = slots
            lowTiles = lows
            tiles.appendEmpty(total)
        } else {
            slotStarts = []
            lowTiles = []
        }
    }

    /// The most computed slots per probe, on average, before segments are hashed instead: memory
    /// stays within a few times the spine's.
    public static let denseFactor = 16

    /// Whether segments have slots computed from probe and tile.
    var isDense: Bool { !slotStarts.isEmpty }

    /// Offers a batch of events: key codes (negative or unknown = ignored), event times (null =
    /// ignored), created times (nil column or null = lowest; they only order `last`) and one column
    /// per input of the layout.
    /// - Complexity: O(b log m) for b events and m probes per key.
    public mutating func add(keys: [Int64], times: Column, created: Column?, values: [Column]) {
        precondition(values.count == layout.inputs.count, "One value column per input")
        let n = keys.count
        let eventTimes = times.integerValues
        let keyCount = keyStarts.count - 1
        let dense = isDense
        batchKeys.removeAll(keepingCapacity: true)
        batchKeys.append(contentsOf: repeatElement(0, count: dense ? 0 : n))
        batchValid.removeAll(keepingCapacity: true)
        batchValid.append(contentsOf: repeatElement(0, count: dense ? 0 : Bitmap.wordCount(for: n)))
        batchCodes.removeAll(keepingCapacity: true)
        batchCodes.append(contentsOf: repeatElement(-1, count: n))
        for row in 0..<n {
            let key = keys[row]
            guard key >= 0, key < keyCount, times.isValid(row) else { continue }
            let lo = keyStarts[Int(key)], hi = keyStarts[Int(key) + 1]
            let time = eventTimes[row]
            var first = lo, last = hi
            while first < last {
                let mid = (first + last) >> 1
                if sortedTimes[mid] < time { first = mid + 1 } else { last = mid }
            }
            guard first < hi else { continue }
            let tile = TiledWindow.tile(of: time, hop: hop)
            guard tile >= reach[first] else { continue }
            if dense {
                batchCodes[row] = Int64(slotStarts[first] + Int(tile - lowTiles[first]))
            } else {
                batchKeys[row] = Int64(first) * span + (tile - reach[first])
                batchValid[row >> 6] |= 1 << UInt64(row & 63)
            }
        }
        if !dense {
            batchKeys.withUnsafeBufferPointer { keys in
                batchValid.withUnsafeBufferPointer { valid in
                    batchCodes.withUnsafeMutableBufferPointer { codes in dictionary.encode(keys, validity: valid, into: codes) }
                }
            }
            // Codes are handed out in first-seen order, so a new code is always the next one.
            for row in 0..<n where batchCodes[row] == Int64(segmentKeys.count) { segmentKeys.append(batchKeys[row]) }
            tiles.appendEmpty(segmentKeys.count - tiles.count)
        }
        let createdTimes = created.map { column in
            let values = column.integerValues
            return column.nullCount == 0 ? values : (0..<n).map { column.isValid($0) ? values[$0] : .min }
        }
        tiles.add(tiles: batchCodes.map { Int($0) }, times: eventTimes, created: createdTimes, values: values)
    }

    /// Each aggregate's values, one column per aggregate of the layout, in probe order. Probes with a
    /// null or unknown key or a null time get the value over no events (count 0, others null).
    /// Releases the accumulator's memory as it goes.
    /// - Complexity: O(s log s + (p + s) × aggregates) for s segments.
    public mutating func finish() -> [Column] {
        let sorted: TileStore
        var segmentStarts: [Int]
        var segmentTiles: [Int64]
        if isDense {
            // Empty slots would only be folded as nothing: drop them.
            segmentStarts = [Int](repeating: 0, count: sortedTimes.count + 1)
            segmentTiles = []
            for p in 0..<sortedTimes.count {
                segmentStarts[p] = segmentTiles.count
                for slot in slotStarts[p]..<slotStarts[p + 1] where tiles.events[slot] > 0 {
                    segmentTiles.append(lowTiles[p] + Int64(slot - slotStarts[p]))
                }
            }
            segmentStarts[sortedTimes.count] = segmentTiles.count
            tiles.removeEmptyTiles()
            sorted = tiles
        } else {
            dictionary = Int64Dictionary()
            let order = RadixSort.permutation(count: segmentKeys.count, components: [segmentKeys.map { UInt64($0) }])
            let sortedKeys = order.map { segmentKeys[$0] }
            segmentKeys = []
            sorted = tiles.take(order)
            // Segments of sorted probe p are sortedKeys[segmentStarts[p]..<segmentStarts[p + 1]].
            segmentStarts = [Int](repeating: 0, count: sortedTimes.count + 1)
            for key in sortedKeys { segmentStarts[Int(key / span) + 1] += 1 }
            for p in 0..<sortedTimes.count { segmentStarts[p + 1] += segmentStarts[p] }
            segmentTiles = sortedKeys.map { key in reach[Int(key / span)] + key % span }
        }
        tiles = TileStore(layout: layout)
        var widest = 0
        for k in 0..<(keyStarts.count - 1) {
            widest = Swift.max(widest, segmentStarts[keyStarts[k + 1]] - segmentStarts[keyStarts[k]])
        }
        // One sweep per distinct partial (a sum and a mean of one column and window share theirs);
        // the sweeps are independent, so they run on all cores.
        let aggregations = layout.aggregations
        var groups: [[Int]] = []
        var groupOf: [TiledAggregation.PartialKey: Int] = [:]
        for (a, aggregation) in aggregations.enumerated() {
            if let g = groupOf[aggregation.partialKey] {
                groups[g].append(a)
            } else {
                groupOf[aggregation.partialKey] = groups.count
                groups.append([a])
            }
        }
        var columns = [Column?](repeating: nil, count: aggregations.count)
        columns.withUnsafeMutableBufferPointer { out in
            let shared = UncheckedSendable(value: out)
            Parallel.forEach(groups) { group in
                var sweep = WindowSweep(
                    keyStarts: keyStarts, sortedTimes: sortedTimes, sortedRows: sortedRows, segmentStarts: segmentStarts,
                    segmentTiles: segmentTiles, widest: widest, window: aggregations[group[0]].window, hop: hop,
                    outputs: group.map { a in
                        WindowColumnBuilder(
                            type: aggregations[a].output, rows: probeCount,
                            initial: aggregations[a].function == .count ? .integer(0) : .null)
                    })
                sorted.visit(group.map { aggregations[$0] }, &sweep)
                for (a, output) in zip(group, sweep.outputs) { shared.value[a] = output.finish() }
            }
        }
        return columns.map { $0! }
    }
}

/// One sweep of the aggregates sharing a partial over every key's probes and segments (see `TiledWindowAccumulator`).
struct WindowSweep: TileReaderVisitor {
    let keyStarts: [Int]
    let sortedTimes: [Int64]
    let sortedRows: [Int32]
    let segmentStarts: [Int]
    let segmentTiles: [Int64]
    /// The most segments of one key.
    let widest: Int
    let window: Int64
    let hop: Int64
    /// The columns of the aggregates sharing the sweep, in the reader's output order.
    var outputs: [WindowColumnBuilder]

    mutating func visit<Reader: TileReader>(_ reader: Reader) {
        typealias P = Reader.Partial
        var suffix = [P](repeating: .identity, count: widest)
        for k in 0..<(keyStarts.count - 1) {
            let base = segmentStarts[keyStarts[k]]
            var front = base, middle = base, back = base
            var newer = P.identity
            for p in keyStarts[k]..<keyStarts[k + 1] {
                while back < segmentStarts[p + 1] {
                    newer = P.combine(newer, reader.partial(at: back))
                    back += 1
                }
                let first = TiledWindow.firstTile(at: sortedTimes[p], window: window, hop: hop)
                while front < back && segmentTiles[front] < first {
                    if front == middle {
                        // The older stack is empty: fold everything held, newest first, into it.
                        var folded = P.identity
                        var i = back
                        while i > front {
                            i -= 1
                            folded = P.combine(reader.partial(at: i), folded)
                            suffix[i - base] = folded
                        }
                        middle = back
                        newer = .identity
                    }
                    front += 1
                }
                let older = front < middle ? suffix[front - base] : P.identity
                let folded = P.combine(older, newer)
                for o in outputs.indices { outputs[o].set(Int(sortedRows[p]), reader.value(folded, output: o)) }
            }
        }
    }
}

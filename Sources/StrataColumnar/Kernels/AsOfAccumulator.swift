/// A streaming point-in-time (as-of) join: probe rows are held, build rows arrive in batches in
/// any order and are never stored, and each probe row ends with the values of its chosen build row.
///
/// Semantics are `AsOfJoin`'s (Feast's): the chosen build row has the probe's key, an event time at
/// or before the probe time and, when `ttl > 0`, at or after the probe time minus the ttl; the latest
/// event time wins, then the largest created time (null lowest), then the greatest values in `TieOrder`
/// (the value columns compared in the order given), so the result never depends on the order rows arrive in.
///
/// How: probes are sorted by (key, time). A build row is offered to its *entry* probe only — the
/// first probe of its key at or after its event time — which keeps the best row offered to it, with
/// its values. A row's entry probe comes after every probe it cannot serve, and the rows kept at
/// later entries are strictly later in time, so each probe's answer is the row kept at the nearest
/// entry at or before it, if that row passes the ttl. Memory is the probes plus one value slot per
/// probe row per feature, whatever the number of build rows.
public struct AsOfAccumulator {
    let ttl: Int64
    let keyStarts: [Int]
    var sortedTimes: [Int64]
    var sortedRows: [Int32]
    var bestTime: [Int64]
    var bestCreated: [Int64]
    var filled: [Bool]
    var slots: [ValueSlots]
    /// The (build row, slot) pairs a batch wins, in row order; kept across batches for its capacity.
    var taken: [(row: Int, slot: Int)] = []
    /// Whether two rows tied in key, event and created time but differed in value: the caller then knows
    /// that the values it offered decided a winner (see `ExtractionJoin`).
    public private(set) var sawDistinctTies = false

    /// Prepares for probes with key codes `probeKeys` (from `KeyEncoder`; negative = null key, never
    /// matched) and `probeTimes` (null = never matched), collecting features of `valueTypes`.
    /// - Complexity: O(p log p) for p probe rows.
    public init(probeKeys: [Int64], probeTimes: Column, valueTypes: [ColumnType], ttl: Int64) {
        precondition(probeKeys.count == probeTimes.count, "Probe keys and times differ in length")
        precondition(probeKeys.count < Int(Int32.max), "Too many probe rows")
        self.ttl = ttl
        let times = probeTimes.integerValues
        var keyCount = 0
        for k in probeKeys where k >= 0 { keyCount = Swift.max(keyCount, Int(k) + 1) }
        var starts = [Int](repeating: 0, count: keyCount + 1)
        for (row, k) in probeKeys.enumerated() where k >= 0 && probeTimes.isValid(row) { starts[Int(k) + 1] += 1 }
        for k in 0..<keyCount { starts[k + 1] += starts[k] }
        var cursor = starts
        var rows = [Int32](repeating: 0, count: starts[keyCount])
        for (row, k) in probeKeys.enumerated() where k >= 0 && probeTimes.isValid(row) {
            rows[cursor[Int(k)]] = Int32(row)
            cursor[Int(k)] += 1
        }
        rows.withUnsafeMutableBufferPointer { buffer in
            for k in 0..<keyCount where starts[k + 1] - starts[k] > 1 {
                var bucket = UnsafeMutableBufferPointer(rebasing: buffer[starts[k]..<starts[k + 1]])
                bucket.sort { a, b in
                    let ta = times[Int(a)], tb = times[Int(b)]
                    return ta != tb ? ta < tb : a < b
                }
            }
        }
        keyStarts = starts
        sortedRows = rows
        sortedTimes = rows.map { times[Int($0)] }
        bestTime = [Int64](repeating: .min, count: rows.count)
        bestCreated = [Int64](repeating: .min, count: rows.count)
        filled = [Bool](repeating: false, count: rows.count)
        slots = valueTypes.map { ValueSlots(type: $0, count: rows.count) }
    }

    /// Offers a batch of build rows: key codes (negative or unknown = ignored), event times (null =
    /// ignored), created times (nil column or null = lowest) and one column per feature.
    /// - Complexity: O(b log m) for b rows and m probes per key.
    public mutating func add(keys: [Int64], times: Column, created: Column?, values: [Column]) {
        precondition(values.count == slots.count, "One value column per feature")
        let eventTimes = times.integerValues
        let createdTimes = created?.integerValues
        let keyCount = keyStarts.count - 1
        for row in 0..<keys.count {
            let key = keys[row]
            guard key >= 0, key < keyCount, times.isValid(row) else { continue }
            let lo = keyStarts[Int(key)], hi = keyStarts[Int(key) + 1]
            guard lo < hi else { continue }
            let time = eventTimes[row]
            var first = lo, last = hi
            while first < last {
                let mid = (first + last) >> 1
                if sortedTimes[mid] < time { first = mid + 1 } else { last = mid }
            }
            guard first < hi else { continue }
            let made = createdTimes != nil && created!.isValid(row) ? createdTimes![row] : .min
            if filled[first] {
                if bestTime[first] > time || (bestTime[first] == time && bestCreated[first] > made) { continue }
                if bestTime[first] == time && bestCreated[first] == made {
                    // A tie (rare): the held row's values must be in their slots to be compared.
                    if !taken.isEmpty { store(values) }
                    let order = compare(values, row, toSlot: first)
                    if order != 0 { sawDistinctTies = true }
                    if order <= 0 { continue }
                }
            }
            filled[first] = true
            bestTime[first] = time
            bestCreated[first] = made
            taken.append((row, first))
        }
        store(values)
    }

    /// Copies the values of the rows in `taken` into their slots, one feature at a time (a later row that
    /// took the same slot overwrites an earlier one, as it won after it), and empties `taken`.
    mutating func store(_ values: [Column]) {
        for f in slots.indices { slots[f].store(values[f], taken) }
        taken.removeAll(keepingCapacity: true)
    }

    /// -1, 0 or 1 as build row `row` ranks below, with or above the row held in `slot`, in `TieOrder`.
    func compare(_ values: [Column], _ row: Int, toSlot slot: Int) -> Int {
        for f in slots.indices {
            let order = slots[f].compare(values[f], row, toSlot: slot)
            if order != 0 { return order }
        }
        return 0
    }

    /// The features of each probe row's chosen build row, in probe order (null where none).
    /// Releases the accumulator's memory as it goes, so that the result is not held twice.
    /// - Complexity: O(p) plus the gathered bytes.
    public mutating func finish(probeCount: Int) -> [Column] {
        var source = [Int32](repeating: -1, count: probeCount)
        for k in 0..<(keyStarts.count - 1) {
            var kept = -1
            for position in keyStarts[k]..<keyStarts[k + 1] {
                if filled[position] { kept = position }
                guard kept >= 0 else { continue }
                if ttl > 0 && bestTime[kept] < UTCTimestamp.subtracting(ttl, from: sortedTimes[position]) { continue }
                source[Int(sortedRows[position])] = Int32(kept)
            }
        }
        bestTime = []
        bestCreated = []
        filled = []
        sortedTimes = []
        sortedRows = []
        var columns: [Column] = []
        columns.reserveCapacity(slots.count)
        for f in slots.indices {
            columns.append(slots[f].gather(source))
            slots[f] = ValueSlots(type: slots[f].type, count: 0)
        }
        return columns
    }
}

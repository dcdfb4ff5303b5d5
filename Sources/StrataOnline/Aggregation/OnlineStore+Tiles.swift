import StrataColumnar
import StrataRedis

extension OnlineStore {
    /// Decodes an aggregation view's stored record (nil: Redis holds none): folds the entity's tiles
    /// into each requested aggregation's value at `at` (docs/aggregations.md, "Online"). No record means no events in the
    /// window (count 0, the others null, as offline); for a replay (`at` before `now`, the wall clock),
    /// only as long as a tile of the window could not have expired by `now`. A record of another format or layout is `NOT_FOUND`, and so is
    /// an aggregation at an instant before the record's end that the record cannot answer exactly.
    /// Returns the end the record was built up to (0 without one).
    static func decodeTiles(
        record: UnsafeRawBufferPointer?, group: OnlineQuery.Group, plan: TilePlan, row: Int, layout: Scratch,
        base: UnsafeMutableRawPointer, at: Int64, now: Int64, statuses: UnsafeMutableBufferPointer<FeatureStatus>
    ) throws -> Int64 {
        var folder = TiledWindowFolder(layout: plan.layout, at: at)
        var end: Int64 = 0
        if let record {
            guard let header = OnlineRecord.header(record), header.tag == group.view.tag else { return 0 }
            guard TileRecord.fold(record, into: &folder, layout: plan.layout) else { throw corrupt(group) }
            end = header.event
        }
        // A replay before the record's end: the tiles before the instant's own are whole and exact, but
        // that tile may hold events after the instant (unless the instant ends it), and the tiles before
        // the record's first were not kept. Where either matters the answer is NOT_FOUND, never a value
        // offline would not give (online equals offline wherever it answers).
        let replay = at < end
        let partial = replay && folder.holdsTileOfInstant && at % plan.layout.hop != 0
        let kept = TiledWindow.firstTile(at: end, window: plan.longestWindow, hop: plan.layout.hop)
        let rows = layout.rows
        for (index, slot) in plan.slots.enumerated() {
            if replay, partial || folder.firstTile(index) < kept { continue }
            if end == 0, at < now, now > plan.expiry(of: index, at: at) { continue }
            let value = folder.value(index)
            guard !value.isNull else {
                statuses[slot * rows + row] = .nullValue
                continue
            }
            statuses[slot * rows + row] = .present
            let word = base + layout.validity + (slot * layout.words + row >> 6) * 8
            word.storeBytes(of: word.load(as: UInt64.self) | 1 << UInt64(row & 63), as: UInt64.self)
            let cells = base + slot * rows * 8
            switch plan.types[index] {
            case .float64, .int64, .timestamp: cells.storeBytes(of: value.bits, toByteOffset: row * 8, as: UInt64.self)
            case .float32: cells.storeBytes(of: Float(Double(bitPattern: value.bits)), toByteOffset: row * 4, as: Float.self)
            case .int32:
                cells.storeBytes(of: Int32(truncatingIfNeeded: Int64(bitPattern: value.bits)), toByteOffset: row * 4, as: Int32.self)
            case .bool: cells.storeBytes(of: value.bits != 0, toByteOffset: row, as: Bool.self)
            case .string: throw corrupt(group)
            }
        }
        return end
    }
}

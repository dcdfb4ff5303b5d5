import StrataColumnar
import StrataRedis

extension OnlineStore {
    /// Decodes the reply of an aggregation view: folds the entity's tiles into each requested
    /// aggregation's value at `at` (docs/aggregations.md, "Online"). No record means no events: count
    /// 0, the others null, as offline. A record of another format or layout is `NOT_FOUND`. Returns
    /// the end the record was built up to (0 without one).
    static func decodeTiles(
        _ reply: RedisReplyView, group: OnlineQuery.Group, plan: TilePlan, row: Int, layout: Scratch,
        base: UnsafeMutableRawPointer, at: Int64, statuses: UnsafeMutableBufferPointer<FeatureStatus>
    ) throws -> Int64 {
        var folder = TiledWindowFolder(layout: plan.layout, at: at)
        var end: Int64 = 0
        if reply.kind == .bulk, let record = reply.bytes {
            guard let header = OnlineRecord.header(record), header.tag == group.view.tag else { return 0 }
            guard TileRecord.fold(record, into: &folder, layout: plan.layout) else { throw corrupt(group) }
            end = header.event
        } else if reply.kind != .null {
            return 0
        }
        let rows = layout.rows
        for (index, slot) in plan.slots.enumerated() {
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

import StrataColumnar

/// The Redis arguments of many entries of one view, in three arenas: bucket keys, fields (entity-key
/// bytes) and records, plus expiry deadlines (decimal Unix ms) when the view expires.
struct EncodedBatch {
    var keys: [UInt8] = []
    var keyOffsets: [Int] = [0]
    var fields: [UInt8] = []
    var fieldOffsets: [Int] = [0]
    var records: OnlineRecord.Batch
    var deadlines: [UInt8] = []
    var deadlineOffsets: [Int] = [0]

    /// The number of entries.
    var count: Int { keyOffsets.count - 1 }
    /// Whether entries carry expiry deadlines.
    var expiring: Bool { deadlineOffsets.count > 1 }

    /// Encodes rows of one view: join-key columns, event and created timestamps, feature columns in the
    /// view's order. Rows whose expiry deadline is at or before `now` (Unix µs) are left out.
    /// - Complexity: O(rows × features).
    init(view: OnlineView, keys keyColumns: [Column], event: [Int64], created: [Int64]?, features: [Column], now: Int64) {
        var keyColumns = keyColumns, event = event, created = created, features = features
        if view.view.onlineExpirySeconds != nil {
            let alive = (0..<event.count).filter { (view.deadline(event: event[$0]) ?? .max) > now / 1000 }
            if alive.count < event.count {
                keyColumns = keyColumns.map { $0.take(indices: alive) }
                features = features.map { $0.take(indices: alive) }
                event = alive.map { event[$0] }
                created = created.map { c in alive.map { c[$0] } }
            }
        }
        records = OnlineRecord.encode(features: features, tag: view.tag, event: event, created: created)
        let rows = event.count
        keys.reserveCapacity(rows * (view.keyPrefix.count + 6))
        keyOffsets.reserveCapacity(rows + 1)
        fields.reserveCapacity(rows * 9)
        fieldOffsets.reserveCapacity(rows + 1)
        for row in 0..<rows {
            let start = fields.count
            OnlineLayout.appendEntityKey(keyColumns, row: row, to: &fields)
            fieldOffsets.append(fields.count)
            let bucket = fields.withUnsafeBytes { OnlineLayout.bucket(of: UnsafeRawBufferPointer(rebasing: $0[start...])) }
            OnlineLayout.appendKey(prefix: view.keyPrefix, bucket: bucket, to: &keys)
            keyOffsets.append(keys.count)
            if let deadline = view.deadline(event: event[row]) {
                deadlines.append(contentsOf: String(deadline).utf8)
                deadlineOffsets.append(deadlines.count)
            }
        }
    }
}

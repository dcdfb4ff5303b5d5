import StrataColumnar

extension EncodedBatch {
    /// An empty batch of tile records (which always carry an expiry deadline).
    init(tileRecordsFor view: OnlineView) {
        records = OnlineRecord.Batch(bytes: [], offsets: [0])
    }

    /// Appends the entry of one entity: its entity-key bytes, its record and its deadline (Unix ms).
    mutating func appendTiles(field: [UInt8], record: ArraySlice<UInt8>, prefix: [UInt8], deadline: Int64) {
        fields.append(contentsOf: field)
        fieldOffsets.append(fields.count)
        let bucket = field.withUnsafeBytes { OnlineLayout.bucket(of: $0) }
        OnlineLayout.appendKey(prefix: prefix, bucket: bucket, to: &keys)
        keyOffsets.append(keys.count)
        records.bytes.append(contentsOf: record)
        records.offsets.append(records.bytes.count)
        deadlines.append(contentsOf: String(deadline).utf8)
        deadlineOffsets.append(deadlines.count)
    }
}

import StrataColumnar

extension OnlineStore {
    /// The answer a lookup gives when Redis holds `records`, decoded by the lookup's own code without a
    /// connection: `records[g * rows + r]` is the hash field of the query's `g`-th view group for entity
    /// row `r` (nil when there is none), views in the order the query resolves them.
    ///
    /// For tools and tests that hold raw records (the record decoder's fuzz target replays its inputs
    /// through it), so that what they check is exactly what a lookup does.
    /// - Throws: `OnlineError.corruptRecord` for a malformed record, `.badEntity` for bad entities, and a
    ///   `.badInput` when `records` does not hold one entry per view group and row.
    /// An aggregation view's records are folded at `at`, as a lookup at the present instant `at` does.
    /// - Complexity: O(rows × (views + features) + record bytes).
    public static func features(
        decoding records: [[UInt8]?], query: OnlineQuery, entities: Frame, at: Int64
    ) throws -> OnlineFeatures {
        let keyColumns = try query.keyColumns(entities)
        let rows = entities.rowCount
        guard records.count == query.groups.count * rows else {
            throw OnlineError(
                .badInput,
                "\(records.count) records for \(query.groups.count) feature views and \(rows) entity rows; expected one per view and row")
        }
        let layout = Scratch(features: query.references.count, groups: query.groups.count, rows: rows)
        let base = UnsafeMutableRawPointer.allocate(byteCount: max(layout.byteCount, 1), alignment: 16)
        defer { base.deallocate() }
        base.initializeMemory(as: UInt8.self, repeating: 0, count: layout.byteCount)
        var statuses = [FeatureStatus](repeating: .notFound, count: rows * query.references.count)
        var strings = [[UInt8]](repeating: [], count: query.references.count)
        try statuses.withUnsafeMutableBufferPointer { statuses in
            for (index, record) in records.enumerated() {
                let group = index / rows
                let row = index - group * rows
                let event: Int64
                if let plan = query.groups[group].tiles {
                    // An aggregation view's answer depends on the record's absence too (count 0).
                    event = try Self.withOptionalBytes(record) { bytes in
                        try decodeTiles(
                            record: bytes, group: query.groups[group], plan: plan, row: row, layout: layout, base: base,
                            at: at, now: at, statuses: statuses)
                    }
                } else {
                    guard let record else { continue }
                    event = try record.withUnsafeBytes { bytes in
                        try decode(
                            record: bytes, group: query.groups[group], row: row, layout: layout, base: base, at: at,
                            statuses: statuses, strings: &strings)
                    }
                }
                (base + layout.times).storeBytes(of: event, toByteOffset: (group * rows + row) * 8, as: Int64.self)
            }
        }
        return features(query, keyColumns: keyColumns, layout: layout, base: base, statuses: statuses, strings: strings)
    }

    /// `body` over `bytes`' storage, or over nil.
    private static func withOptionalBytes<T>(_ bytes: [UInt8]?, _ body: (UnsafeRawBufferPointer?) throws -> T) rethrows -> T {
        guard let bytes else { return try body(nil) }
        return try bytes.withUnsafeBytes { try body($0) }
    }
}

import StrataColumnar
import StrataCore
import StrataPostgres

/// The extraction strategies: the view's rows in the spine's time range are streamed out of
/// PostgreSQL by binary COPY (keys, event time, created time, features) and joined in Strata.
///
/// - `streaming` (the default): batches are offered to an `AsOfAccumulator` and dropped, so memory
///   is the spine plus one value slot per spine row, however large the view.
/// - `sortMerge`: the whole extraction is held, then `AsOfJoin`'s sort-merge (on both cores) picks
///   each spine row's build row and the values are gathered.
struct ExtractionJoin {
    let connection: PostgresConnection
    let sortMerge: Bool

    static let batchRows = 1 << 16

    func join(_ group: FeatureSelection.ViewGroup, spine: Frame, times: Column, progress: PointInTimeJoin.Progress) throws -> [Column] {
        // Scans start at the table's first block, so that rows tied in key, event and created time are
        // met in the same order on every run.
        try connection.execute("SET synchronize_seqscans = off")
        let keyColumns = group.joinKeys.map { spine[$0]! }
        var encoder = KeyEncoder()
        let probeKeys = encoder.encode(keyColumns)
        let window = ExtractionWindow(spineTimes: times.timestampValues, ttlSeconds: group.view.ttlSeconds)
        let extraction = try ViewExtraction(group: group, window: window)
        let keyCount = group.joinKeys.count
        let hasCreated = group.source.createdTimestampColumn != nil
        let firstFeature = keyCount + 1 + (hasCreated ? 1 : 0)
        let ttl = UTCTimestamp.micros(seconds: group.view.ttlSeconds)
        if sortMerge {
            var built: [Column] = []
            try connection.copyOut(query: extraction.sql, columns: extraction.copyColumns, batchRows: .max) { built = $0 }
            progress(group.view.name, built.first?.count ?? 0)
            let matches = AsOfJoin.match(
                probeKeys: probeKeys, probeTimes: times, buildKeys: encoder.lookup(Array(built[0..<keyCount])),
                buildTimes: built[keyCount], buildCreated: hasCreated ? built[keyCount + 1] : nil, ttl: ttl)
            return built[firstFeature...].map { $0.take(indices: matches) }
        }
        return try stream(extraction, encoder: encoder, probeKeys: probeKeys, times: times, group: group, progress: progress)
    }

    /// The streaming strategy; the key encoder and probe keys are dropped before the result is gathered.
    func stream(
        _ extraction: ViewExtraction, encoder: consuming KeyEncoder, probeKeys: consuming [Int64], times: Column,
        group: FeatureSelection.ViewGroup, progress: PointInTimeJoin.Progress
    ) throws -> [Column] {
        let keyCount = group.joinKeys.count
        let hasCreated = group.source.createdTimestampColumn != nil
        let firstFeature = keyCount + 1 + (hasCreated ? 1 : 0)
        var accumulator = AsOfAccumulator(
            probeKeys: probeKeys, probeTimes: times, valueTypes: group.features.map { ColumnType($0.type) },
            ttl: UTCTimestamp.micros(seconds: group.view.ttlSeconds))
        probeKeys = []
        var rows = 0
        try connection.copyOut(query: extraction.sql, columns: extraction.copyColumns, batchRows: Self.batchRows) { batch in
            accumulator.add(
                keys: encoder.lookup(Array(batch[0..<keyCount])), times: batch[keyCount],
                created: hasCreated ? batch[keyCount + 1] : nil, values: Array(batch[firstFeature...]))
            rows += batch.first?.count ?? 0
            progress(group.view.name, rows)
        }
        encoder = KeyEncoder()
        return accumulator.finish(probeCount: times.count)
    }
}

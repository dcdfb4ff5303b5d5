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
///
/// Rows tied in key, event and created time are ranked by their values in `TieOrder`, over the view's
/// features in declaration order, as materialisation and the lateral join rank them. The extraction reads
/// the requested features first (in declaration order); only when the view has others and two tied rows
/// differed in the requested values does it read again with every feature, so that the ranking is the
/// same whichever features are requested (ties whose requested values are equal give the same result
/// whichever row wins).
struct ExtractionJoin {
    let connection: PostgresConnection
    let sortMerge: Bool

    static let batchRows = 1 << 16

    func join(_ group: FeatureSelection.ViewGroup, spine: Frame, times: Column, progress: PointInTimeJoin.Progress) throws -> [Column] {
        let requested = Set(group.features.map(\.name))
        let firstPass = group.view.features.filter { requested.contains($0.name) }
        var (features, columns, distinctTies) = try extract(firstPass, group, spine: spine, times: times, progress: progress)
        if distinctTies && firstPass.count < group.view.features.count {
            (features, columns, _) = try extract(group.view.features, group, spine: spine, times: times, progress: progress)
        }
        let position = Dictionary(uniqueKeysWithValues: features.enumerated().map { ($0.element.name, $0.offset) })
        return group.features.map { columns[position[$0.name]!] }
    }

    /// Joins `features` of the view (in the view's order); returns them, their columns, and whether tied
    /// rows differed in these values.
    func extract(
        _ features: [Feature], _ group: FeatureSelection.ViewGroup, spine: Frame, times: Column,
        progress: PointInTimeJoin.Progress
    ) throws -> (features: [Feature], columns: [Column], distinctTies: Bool) {
        let keyColumns = group.joinKeys.map { spine[$0]! }
        var encoder = KeyEncoder()
        let probeKeys = encoder.encode(keyColumns)
        let window = ExtractionWindow(spineTimes: times.timestampValues, ttlSeconds: group.view.ttlSeconds)
        let extraction = try ViewExtraction(group: group, features: features, window: window)
        let keyCount = group.joinKeys.count
        let hasCreated = group.source.createdTimestampColumn != nil
        let firstFeature = keyCount + 1 + (hasCreated ? 1 : 0)
        let ttl = UTCTimestamp.micros(seconds: group.view.ttlSeconds)
        if sortMerge {
            var built: [Column] = []
            try connection.copyOut(query: extraction.sql, columns: extraction.copyColumns, batchRows: .max) { built = $0 }
            progress(group.view.name, built.first?.count ?? 0)
            let values = Array(built[firstFeature...])
            let (matches, distinctTies) = AsOfJoin.matchRankingTies(
                probeKeys: probeKeys, probeTimes: times, buildKeys: encoder.lookup(Array(built[0..<keyCount])),
                buildTimes: built[keyCount], buildCreated: hasCreated ? built[keyCount + 1] : nil, ttl: ttl, tieBreak: values)
            return (features, values.map { $0.take(indices: matches) }, distinctTies)
        }
        let (columns, distinctTies) = try stream(
            extraction, encoder: encoder, probeKeys: probeKeys, times: times, group: group, features: features, progress: progress)
        return (features, columns, distinctTies)
    }

    /// The streaming strategy; the key encoder and probe keys are dropped before the result is gathered.
    func stream(
        _ extraction: ViewExtraction, encoder: consuming KeyEncoder, probeKeys: consuming [Int64], times: Column,
        group: FeatureSelection.ViewGroup, features: [Feature], progress: PointInTimeJoin.Progress
    ) throws -> (columns: [Column], distinctTies: Bool) {
        let keyCount = group.joinKeys.count
        let hasCreated = group.source.createdTimestampColumn != nil
        let firstFeature = keyCount + 1 + (hasCreated ? 1 : 0)
        var accumulator = AsOfAccumulator(
            probeKeys: probeKeys, probeTimes: times, valueTypes: features.map { ColumnType($0.type) },
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
        let distinctTies = accumulator.sawDistinctTies
        return (accumulator.finish(probeCount: times.count), distinctTies)
    }
}

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
/// With more than one connection (`Parallelism`), the read is cut into pieces (`ExtractionPlanner`) that
/// the connections read at once, in one shared snapshot (`SnapshotConnections`), and every batch is folded
/// into the same accumulator (or the same held extraction). Both joins choose by the rows' values alone,
/// never by the order rows arrive in, so the result is the serial one.
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
    let parallelism: Parallelism
    /// Where the extra connections of parallel reads come from.
    let snapshot: SnapshotConnections
    /// The smallest page range read as a piece of its own.
    var minimumPieceBlocks = ExtractionPlanner.minimumPieceBlocks

    static let batchRows = 1 << 16

    /// How a view is read: its pieces and the connections that read them.
    struct Read {
        var pieces: [ScanPiece]
        var connections: [PostgresConnection]
    }

    func join(_ group: FeatureSelection.ViewGroup, spine: Frame, times: Column, progress: PointInTimeJoin.Progress) throws -> [Column] {
        let window = ExtractionWindow(spineTimes: times.timestampValues, ttlSeconds: group.view.ttlSeconds)
        let read = try plan(group, window: window)
        let requested = Set(group.features.map(\.name))
        let firstPass = group.view.features.filter { requested.contains($0.name) }
        var (features, columns, distinctTies) = try extract(firstPass, group, read: read, window: window, spine: spine, times: times, progress: progress)
        if distinctTies && firstPass.count < group.view.features.count {
            (features, columns, _) = try extract(group.view.features, group, read: read, window: window, spine: spine, times: times, progress: progress)
        }
        let position = Dictionary(uniqueKeysWithValues: features.enumerated().map { ($0.element.name, $0.offset) })
        return group.features.map { columns[position[$0.name]!] }
    }

    /// The pieces and connections of the view's read: the whole source on the join's own connection,
    /// unless `parallelism` asks for (or, automatically, the scanned size is worth) more connections
    /// and the source can be split.
    func plan(_ group: FeatureSelection.ViewGroup, window: ExtractionWindow) throws -> Read {
        let extraction = try ViewExtraction(group: group, features: [], window: window)
        let serial = Read(pieces: [.whole(extraction.table)], connections: [connection])
        let asked: Int? = if case .connections(let count) = parallelism { count } else { nil }
        guard asked != 1,
              let scan = try ExtractionPlanner.scan(table: extraction.table, conditions: extraction.conditions, connection: connection)
        else { return serial }
        let settings = try snapshot.settings()
        let count = asked ?? ExtractionPlanner.automaticConnections(blocks: scan.blocks, settings: settings)
        let pieces = ExtractionPlanner.pieces(
            scan, connections: count, minimumBlocks: minimumPieceBlocks, pageRanges: settings.tidRangeScans)
        guard count > 1, pieces.count > 1 else { return serial }
        let connections = try snapshot.open(min(count, pieces.count), required: asked != nil)
        return connections.count > 1 ? Read(pieces: pieces, connections: connections) : serial
    }

    /// Joins `features` of the view (in the view's order); returns them, their columns, and whether tied
    /// rows differed in these values.
    func extract(
        _ features: [Feature], _ group: FeatureSelection.ViewGroup, read: Read, window: ExtractionWindow, spine: Frame,
        times: Column, progress: PointInTimeJoin.Progress
    ) throws -> (features: [Feature], columns: [Column], distinctTies: Bool) {
        let keyColumns = group.joinKeys.map { spine[$0]! }
        var encoder = KeyEncoder()
        let probeKeys = encoder.encode(keyColumns)
        let extraction = try ViewExtraction(group: group, features: features, window: window)
        let keyCount = group.joinKeys.count
        let hasCreated = group.source.createdTimestampColumn != nil
        let firstFeature = keyCount + 1 + (hasCreated ? 1 : 0)
        let ttl = UTCTimestamp.micros(seconds: group.view.ttlSeconds)
        if sortMerge {
            let built = try hold(extraction, read: read, view: group.view.name, progress: progress)
            let values = Array(built[firstFeature...])
            let (matches, distinctTies) = AsOfJoin.matchRankingTies(
                probeKeys: probeKeys, probeTimes: times, buildKeys: encoder.lookup(Array(built[0..<keyCount])),
                buildTimes: built[keyCount], buildCreated: hasCreated ? built[keyCount + 1] : nil, ttl: ttl, tieBreak: values)
            return (features, values.map { $0.take(indices: matches) }, distinctTies)
        }
        let (columns, distinctTies) = try stream(
            extraction, read: read, encoder: encoder, probeKeys: probeKeys, times: times, group: group, features: features,
            progress: progress)
        return (features, columns, distinctTies)
    }

    /// The sort-merge strategy's read: every row of the extraction, the pieces' rows one after the other.
    func hold(_ extraction: ViewExtraction, read: Read, view: String, progress: PointInTimeJoin.Progress) throws -> [Column] {
        var parts = [[[Column]]](repeating: [], count: read.pieces.count)
        var rows = 0
        try ParallelCopy.run(
            pieces: read.pieces, connections: read.connections, sql: extraction.sql(for:), columns: extraction.copyColumns,
            batchRows: .max, prepare: { $0 }
        ) { piece, batch in
            parts[piece].append(batch)
            rows += batch.first?.count ?? 0
            progress(view, rows)
        }
        let batches = parts.flatMap { $0 }
        if batches.count == 1 { return batches[0] }
        return extraction.copyColumns.indices.map { c in
            Column.concatenating(batches.map { $0[c] }, type: extraction.copyColumns[c].type)
        }
    }

    /// The streaming strategy; the key encoder and probe keys are dropped before the result is gathered.
    func stream(
        _ extraction: ViewExtraction, read: Read, encoder: consuming KeyEncoder, probeKeys: consuming [Int64], times: Column,
        group: FeatureSelection.ViewGroup, features: [Feature], progress: PointInTimeJoin.Progress
    ) throws -> (columns: [Column], distinctTies: Bool) {
        let keyCount = group.joinKeys.count
        let hasCreated = group.source.createdTimestampColumn != nil
        let firstFeature = keyCount + 1 + (hasCreated ? 1 : 0)
        var accumulator = AsOfAccumulator(
            probeKeys: probeKeys, probeTimes: times, valueTypes: features.map { ColumnType($0.type) },
            ttl: UTCTimestamp.micros(seconds: group.view.ttlSeconds))
        probeKeys = []
        do {
            let keys = consume encoder
            var rows = 0
            try ParallelCopy.run(
                pieces: read.pieces, connections: read.connections, sql: extraction.sql(for:), columns: extraction.copyColumns,
                batchRows: Self.batchRows,
                prepare: { batch in (codes: keys.lookup(Array(batch[0..<keyCount])), batch: batch) }
            ) { _, prepared in
                let batch = prepared.batch
                accumulator.add(
                    keys: prepared.codes, times: batch[keyCount], created: hasCreated ? batch[keyCount + 1] : nil,
                    values: Array(batch[firstFeature...]))
                rows += batch.first?.count ?? 0
                progress(group.view.name, rows)
            }
        }
        let distinctTies = accumulator.sawDistinctTies
        return (accumulator.finish(probeCount: times.count), distinctTies)
    }
}

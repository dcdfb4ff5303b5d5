import StrataColumnar
import StrataCore
import StrataPostgres

/// The join of an aggregation view (docs/aggregations.md): the source's events that some spine row's
/// window reaches are streamed by binary COPY in batches (keys, event time, created time, the columns
/// the requested aggregates read) and folded into a `TiledWindowAccumulator`, which keeps partial
/// aggregates per (spine row, tile) and sweeps the spine once per aggregate. Memory is the spine plus
/// those partials, however many events the source holds.
struct AggregationJoin {
    let connection: PostgresConnection

    static let batchRows = 1 << 16

    func join(_ group: FeatureSelection.ViewGroup, spine: Frame, times: Column, progress: PointInTimeJoin.Progress) throws -> [Column] {
        let aggregations = try group.features.map { feature in
            guard let aggregation = group.view.aggregations?.first(where: { $0.name == feature.name }) else {
                throw OfflineError(.notFound, "feature view \(group.view.name) has no aggregation \(feature.name)")
            }
            return aggregation
        }
        let selection = try AggregationSelection(
            source: group.source, entities: group.entities, view: group.view, aggregations: aggregations)
        var encoder = KeyEncoder()
        let probeKeys = encoder.encode(group.joinKeys.map { spine[$0]! })
        var accumulator = TiledWindowAccumulator(probeKeys: probeKeys, probeTimes: times, layout: selection.layout)
        let keyCount = selection.keys.count
        var rows = 0
        try connection.copyOut(query: Self.query(selection, spineTimes: times), columns: selection.copyColumns, batchRows: Self.batchRows) { batch in
            accumulator.add(
                keys: encoder.lookup(Array(batch[0..<keyCount])), times: batch[keyCount],
                created: selection.hasCreated ? batch[keyCount + 1] : nil, values: Array(batch[selection.firstInput...]))
            rows += batch.first?.count ?? 0
            progress(group.view.name, rows)
        }
        return accumulator.finish()
    }

    /// The COPY query: events up to the latest spine time and after the start of the earliest spine
    /// time's longest window. The bounds are timestamps Strata formats itself (digits and separators),
    /// written as literals because COPY takes no parameters.
    static func query(_ selection: AggregationSelection, spineTimes: Column) -> String {
        var lowest = Int64.max, highest = Int64.min
        let times = spineTimes.timestampValues
        for row in 0..<spineTimes.count where spineTimes.isValid(row) {
            let time = times[row]
            lowest = min(lowest, time)
            highest = max(highest, time)
        }
        let ts = selection.timestamp
        var conditions = selection.keys.map { "\($0) IS NOT NULL" }
        conditions.append("\(ts) <= '\(UTCTimestamp.format(highest))'::timestamptz")
        let hop = selection.layout.hop
        let start = TiledWindow.start(
            ofTile: TiledWindow.firstTile(at: lowest, window: selection.layout.longestWindow, hop: hop), hop: hop)
        if start != .min { conditions.append("\(ts) > '\(UTCTimestamp.format(start))'::timestamptz") }
        return "SELECT \(selection.list) FROM \(selection.table) WHERE \(conditions.joined(separator: " AND "))"
    }
}

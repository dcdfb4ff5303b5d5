import StrataColumnar
import StrataCore
import StrataPostgres

/// The extraction strategy: the view's rows in the spine's time range are streamed out by binary
/// COPY (keys, event time, created time, features) and joined with `AsOfJoin`'s sort-merge, which
/// uses both cores; the chosen rows are then gathered in spine order.
struct ExtractionJoin {
    let connection: PostgresConnection

    func join(_ group: FeatureSelection.ViewGroup, spine: Frame, times: Column, progress: PointInTimeJoin.Progress) throws -> [Column] {
        let keyColumns = group.joinKeys.map { spine[$0]! }
        var encoder = KeyEncoder()
        let probeKeys = encoder.encode(keyColumns)
        let window = ExtractionWindow(spineTimes: times.timestampValues, ttlSeconds: group.view.ttlSeconds)
        let extraction = try ViewExtraction(group: group, window: window)
        var built: [Column] = []
        try connection.copyOut(query: extraction.sql, columns: extraction.copyColumns, batchRows: .max) { batch in
            built = batch
        }
        progress(group.view.name, built.first?.count ?? 0)
        let keyCount = group.joinKeys.count
        let buildKeys = encoder.lookup(Array(built[0..<keyCount]))
        let createdColumn: Column? = group.source.createdTimestampColumn == nil ? nil : built[keyCount + 1]
        let matches = AsOfJoin.match(
            probeKeys: probeKeys, probeTimes: times, buildKeys: buildKeys, buildTimes: built[keyCount],
            buildCreated: createdColumn, ttl: group.view.ttlSeconds * UTCTimestamp.microsPerSecond)
        let firstFeature = keyCount + 1 + (createdColumn == nil ? 0 : 1)
        return built[firstFeature...].map { $0.take(indices: matches) }
    }
}

import StrataColumnar
import StrataCore
import StrataOffline
import StrataPostgres

/// Rebuilds the tile records of an aggregation view's entities whole from its source
/// (docs/aggregations.md, "Online"): per entity, its events in the tiles a lookup at or after `end`
/// can need, read by binary COPY in (entity, time) order, so that only one entity's tiles are held at
/// a time. Rebuilding whole tiles, never adding to stored ones, makes reruns idempotent.
struct TileBuilder {
    /// Which entities to rebuild.
    enum Entities {
        /// Every entity with an event in the retained tiles.
        case all
        /// The entities with an event at or after this instant (µs) and at or before the end.
        case touched(since: Int64)
        /// The entities whose keys a table holds (the rows of a push), by the view's join-key names.
        case listed(table: String)
    }

    let view: OnlineView
    let selection: AggregationSelection
    let tag: UInt16

    init(view: OnlineView) throws {
        self.view = view
        selection = try AggregationSelection(source: view.source, entities: view.entities, view: view.view)
        tag = view.tag
    }

    /// The first instant (exclusive) of the tiles a lookup at or after `end` can need.
    func horizon(end: Int64) -> Int64 {
        let layout = selection.layout
        return TiledWindow.start(
            ofTile: TiledWindow.firstTile(at: end, window: layout.longestWindow, hop: layout.hop), hop: layout.hop)
    }

    /// The COPY query of the events to rebuild from. The bounds are timestamps Strata formats itself
    /// (digits and separators), written as literals because COPY takes no parameters.
    func query(end: Int64, entities: Entities) throws -> String {
        let ts = selection.timestamp
        let keys = selection.keys.joined(separator: ", ")
        let endLiteral = "'\(UTCTimestamp.format(end))'::timestamptz"
        let horizon = horizon(end: end)
        var conditions = selection.keys.map { "\($0) IS NOT NULL" } + ["\(ts) <= \(endLiteral)"]
        if horizon != .min { conditions.append("\(ts) > '\(UTCTimestamp.format(horizon))'::timestamptz") }
        switch entities {
        case .all: break
        case .touched(let since) where since <= horizon: break
        case .touched(let since):
            conditions.append(
                "(\(keys)) IN (SELECT \(keys) FROM \(selection.table) WHERE \(ts) >= '\(UTCTimestamp.format(since))'::timestamptz AND \(ts) <= \(endLiteral))")
        case .listed(let table):
            conditions.append("(\(keys)) IN (SELECT \(keys) FROM \(try SQLIdentifier.quoteQualified(table)))")
        }
        // Events equal in key and time are ordered by their other columns too, so that a rebuild adds a
        // tile's values in the same order whatever plan PostgreSQL picks: a rerun writes the same bytes.
        let others = (selection.keys.count + 1..<selection.copyColumns.count).map { String($0 + 1) }
        let order = ([keys, ts] + others).joined(separator: ", ")
        return "SELECT \(selection.list) FROM \(selection.table) WHERE \(conditions.joined(separator: " AND ")) ORDER BY \(order)"
    }

    /// Streams the events, builds each entity's record (records already expired at `now` are left
    /// out) and hands them to `submit` in batches. Returns the number of entities read.
    func build(
        connection: PostgresConnection, end: Int64, entities: Entities, now: Int64, batchRows: Int,
        submit: (EncodedBatch) throws -> Void, progress: (Int) -> Void
    ) throws -> Int {
        let layout = selection.layout
        let keyCount = selection.keys.count
        var store = TileStore(layout: layout)
        var numbers: [Int64] = []
        // The entities whose tiles `store` holds: their key bytes and first tile.
        var open: [(field: [UInt8], first: Int)] = []
        var built = 0
        var record: [UInt8] = []
        var field: [UInt8] = []

        func flush(_ entities: ArraySlice<(field: [UInt8], first: Int)>, upTo last: Int) throws {
            var batch = EncodedBatch(tileRecordsFor: view)
            for (i, entity) in zip(entities.indices, entities) {
                let next = i + 1 < entities.endIndex ? entities[i + 1].first : last
                built += 1
                guard next > entity.first else { continue }
                let expiry = TiledWindow.expiry(ofTile: numbers[next - 1], window: layout.longestWindow, hop: layout.hop)
                guard expiry > now else { continue }
                record.removeAll(keepingCapacity: true)
                TileRecord.append(store, range: entity.first..<next, numbers: numbers, end: end, writtenAt: now, tag: tag, to: &record)
                batch.appendTiles(field: entity.field, record: record[...], prefix: view.keyPrefix, deadline: expiry / 1000)
            }
            if batch.count > 0 { try submit(batch) }
        }

        try connection.copyOut(query: try query(end: end, entities: entities), columns: selection.copyColumns, batchRows: batchRows) { columns in
            let rows = columns.first?.count ?? 0
            guard rows > 0 else { return }
            let keyColumns = Array(columns[0..<keyCount])
            let times = columns[keyCount].timestampValues
            var codes = [Int](repeating: -1, count: rows)
            for row in 0..<rows {
                field.removeAll(keepingCapacity: true)
                OnlineLayout.appendEntityKey(keyColumns, row: row, to: &field)
                if open.last?.field != field { open.append((field, numbers.count)) }
                let number = TiledWindow.tile(of: times[row], hop: layout.hop)
                if numbers.count == open[open.count - 1].first || numbers[numbers.count - 1] != number { numbers.append(number) }
                codes[row] = numbers.count - 1
            }
            store.appendEmpty(numbers.count - store.count)
            let created = selection.hasCreated ? columns[keyCount + 1].timestampValuesOr(.min) : nil
            store.add(tiles: codes, times: times, created: created, values: Array(columns[selection.firstInput...]))
            // The last entity may go on in the next batch: keep its tiles, write the others.
            let last = open[open.count - 1]
            try flush(open[..<(open.count - 1)], upTo: last.first)
            store = store.take(Array(last.first..<numbers.count))
            numbers.removeFirst(last.first)
            open = [(last.field, 0)]
            progress(built)
        }
        try flush(open[...], upTo: numbers.count)
        progress(built)
        return built
    }
}

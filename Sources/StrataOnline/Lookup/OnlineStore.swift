import StrataColumnar
import StrataCore
import StrataRedis

/// Online lookups (DESIGN.md "Online lookup"): every view and entity of a call in one pipelined round
/// trip of `HGET`s, decoded straight into the response's columns.
///
/// Not thread-safe: it owns scratch buffers and uses one Redis connection; one owner at a time.
public final class OnlineStore {
    /// The online store.
    public let redis: RedisConnection
    /// The registered project the features come from.
    public let repository: Repository

    private var arena: [UInt8] = []
    private var offsets: [Int] = []
    private var arguments: [UnsafeRawBufferPointer] = []
    private static let hget = Array("HGET".utf8)

    /// A store reading `repository`'s views from `redis`.
    public init(redis: RedisConnection, repository: Repository) {
        self.redis = redis
        self.repository = repository
    }

    /// The values of `references` for each row of `entities` (a frame holding the join-key columns) as
    /// of `at` (µs since the Unix epoch; default now).
    /// - Throws: `OnlineError` for unknown features or bad entities, `RedisError` when Redis fails.
    public func onlineFeatures(_ references: [FeatureReference], entities: Frame, at: Int64? = nil) throws -> OnlineFeatures {
        try onlineFeatures(try OnlineQuery(references, in: repository), entities: entities, at: at)
    }

    /// The values of the feature service `service` for each row of `entities` as of `at` (default now).
    public func onlineFeatures(service: String, entities: Frame, at: Int64? = nil) throws -> OnlineFeatures {
        try onlineFeatures(try OnlineQuery(service: service, in: repository), entities: entities, at: at)
    }

    /// The values of a prepared query for each row of `entities` as of `at` (default now).
    /// - Complexity: one round trip; O(rows × (views + features)) work.
    public func onlineFeatures(_ query: OnlineQuery, entities: Frame, at: Int64? = nil) throws -> OnlineFeatures {
        let keyColumns = try query.keyColumns(entities)
        let rows = entities.rowCount
        let at = at ?? OnlineClock.nowMicros()
        buildCommands(query, keyColumns: keyColumns, rows: rows)
        try sendCommands()
        var builders = query.featureTypes.map { ColumnBuilder(type: $0, capacity: rows) }
        var statuses = [FeatureStatus](repeating: .notFound, count: rows * query.references.count)
        var timestamps: [[Int64]] = []
        timestamps.reserveCapacity(query.groups.count)
        var failure: Error?
        for group in query.groups {
            var times = [Int64](repeating: 0, count: rows)
            for row in 0..<rows {
                try redis.readReply { reply in
                    guard failure == nil else { return }
                    do {
                        times[row] = try Self.decode(
                            reply, group: group, row: row, rows: rows, at: at, builders: &builders, statuses: &statuses)
                    } catch {
                        failure = error
                    }
                }
            }
            timestamps.append(times)
        }
        if let failure { throw failure }
        return OnlineFeatures(
            references: query.references, joinKeys: query.joinKeys.map(\.name), entities: keyColumns,
            values: builders.map { $0.finish() }, statusCodes: statuses, groupTimestamps: timestamps,
            featureGroup: query.featureGroup, rowCount: rows)
    }

    /// Builds `HGET bucket-key entity-key` for every (view, row) in one arena.
    private func buildCommands(_ query: OnlineQuery, keyColumns: [Column], rows: Int) {
        arena.removeAll(keepingCapacity: true)
        offsets.removeAll(keepingCapacity: true)
        offsets.append(0)
        for group in query.groups {
            let columns = group.keyPositions.map { keyColumns[$0] }
            for row in 0..<rows {
                let start = arena.count
                OnlineLayout.appendEntityKey(columns, row: row, to: &arena)
                let fieldEnd = arena.count
                let bucket = arena.withUnsafeBytes { OnlineLayout.bucket(of: UnsafeRawBufferPointer(rebasing: $0[start..<fieldEnd])) }
                offsets.append(fieldEnd)
                OnlineLayout.appendKey(prefix: group.view.keyPrefix, bucket: bucket, to: &arena)
                offsets.append(arena.count)
            }
        }
    }

    /// Queues every command of the arena (field then key pairs) and lets the first read flush them.
    private func sendCommands() throws {
        try Self.hget.withUnsafeBytes { hget in
            try arena.withUnsafeBytes { bytes in
                var i = 0
                while i + 2 < offsets.count {
                    let field = UnsafeRawBufferPointer(rebasing: bytes[offsets[i]..<offsets[i + 1]])
                    let key = UnsafeRawBufferPointer(rebasing: bytes[offsets[i + 1]..<offsets[i + 2]])
                    arguments.removeAll(keepingCapacity: true)
                    arguments.append(hget)
                    arguments.append(key)
                    arguments.append(field)
                    try arguments.withUnsafeBufferPointer { try redis.append($0) }
                    i += 2
                }
            }
        }
    }

    /// Decodes one reply into the builders of the group's requested features; returns the event time.
    private static func decode(
        _ reply: RedisReplyView, group: OnlineQuery.Group, row: Int, rows: Int, at: Int64,
        builders: inout [ColumnBuilder], statuses: inout [FeatureStatus]
    ) throws -> Int64 {
        func fill(_ status: FeatureStatus) {
            for slot in group.slots where slot >= 0 {
                builders[slot].appendNull()
                statuses[slot * rows + row] = status
            }
        }
        if reply.kind == .error {
            throw RedisError(
                code: .serverError,
                message: "Redis refused a lookup of feature view \(group.view.view.name): \(reply.string ?? "")",
                underlying: reply.string)
        }
        guard let record = reply.bytes, reply.kind == .bulk,
              let header = OnlineRecord.header(record), header.tag == group.view.tag
        else {
            fill(.notFound)
            return 0
        }
        if let expiry = group.expiryMicros, at >= header.event &+ expiry {
            fill(.notFound)
            return 0
        }
        if group.ttlMicros > 0, header.event < at &- group.ttlMicros {
            fill(.outsideMaxAge)
            return header.event
        }
        let features = group.view.view.features
        let bitmap = OnlineRecord.headerSize
        var offset = bitmap + (features.count + 7) / 8
        guard record.count >= offset else { throw corrupt(group) }
        for (index, feature) in features.enumerated() {
            let slot = group.slots[index]
            if record[bitmap + index / 8] & (1 << UInt8(index % 8)) != 0 {
                if slot >= 0 {
                    builders[slot].appendNull()
                    statuses[slot * rows + row] = .nullValue
                }
                continue
            }
            let width: Int
            var start = offset
            switch feature.type {
            case .float64, .int64, .timestamp: width = 8
            case .float32, .int32: width = 4
            case .bool: width = 1
            case .string:
                var length = 0
                var shift = 0
                while true {
                    guard start < record.count, shift < 64 else { throw corrupt(group) }
                    let byte = record[start]
                    length |= Int(byte & 0x7F) << shift
                    start += 1
                    if byte < 0x80 { break }
                    shift += 7
                }
                width = length
            }
            guard width >= 0, start + width <= record.count else { throw corrupt(group) }
            offset = start + width
            guard slot >= 0 else { continue }
            statuses[slot * rows + row] = .present
            switch feature.type {
            case .float64:
                builders[slot].append(Double(bitPattern: UInt64(littleEndian: record.loadUnaligned(fromByteOffset: start, as: UInt64.self))))
            case .int64:
                builders[slot].append(Int64(littleEndian: record.loadUnaligned(fromByteOffset: start, as: Int64.self)))
            case .timestamp:
                builders[slot].appendTimestamp(Int64(littleEndian: record.loadUnaligned(fromByteOffset: start, as: Int64.self)))
            case .float32:
                builders[slot].append(Float(bitPattern: UInt32(littleEndian: record.loadUnaligned(fromByteOffset: start, as: UInt32.self))))
            case .int32:
                builders[slot].append(Int32(littleEndian: record.loadUnaligned(fromByteOffset: start, as: Int32.self)))
            case .bool:
                builders[slot].append(record[start] != 0)
            case .string:
                builders[slot].appendString(bytes: UnsafeRawBufferPointer(rebasing: record[start..<start + width]))
            }
        }
        return header.event
    }

    private static func corrupt(_ group: OnlineQuery.Group) -> OnlineError {
        OnlineError(
            .corruptRecord,
            "a record of feature view \(group.view.view.name) in Redis is truncated or malformed; materialise the view again")
    }
}

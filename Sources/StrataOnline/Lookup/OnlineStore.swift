import StrataColumnar
import StrataCore
import StrataRedis

/// Online lookups (DESIGN.md "Online lookup"): every view and entity of a call in one pipelined round
/// trip of `HGET`s, decoded straight into the response's columns.
///
/// On a Redis Cluster the `HGET`s go to the masters that serve their buckets, one pipeline per master, all
/// sent before any reply is read (`RedisCluster`); the replies come back in request order all the same.
///
/// Not thread-safe: it owns scratch buffers and uses one Redis client; one owner at a time.
public final class OnlineStore {
    /// The online store: one server or a cluster. The client is called once per pipeline, never per command
    /// or reply, so reaching it through the protocol costs nothing that shows beside a round trip.
    public let redis: any RedisClient
    /// The registered project the features come from.
    public let repository: Repository

    /// The lookups' commands and decoding scratch, kept from call to call.
    private let codec = OnlineLookupCodec()

    /// A store reading `repository`'s views from `redis`.
    public init(redis: any RedisClient, repository: Repository) {
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

    /// The values of a prepared query for each row of `entities` as of `at` (default now). A lookup that
    /// loses its connection is sent once more on a new one: it only reads, so a retry cannot change what
    /// Redis holds (docs/online-layout.md, "Retries").
    /// - Complexity: one round trip (two after a lost connection); O(rows × (views + features)) work.
    public func onlineFeatures(_ query: OnlineQuery, entities: Frame, at: Int64? = nil) throws -> OnlineFeatures {
        let at = at ?? OnlineClock.nowMicros()
        do {
            return try receive(try send(query, entities: entities, at: at))
        } catch let error as RedisError where error.code == .connectionLost {
            return try receive(try send(query, entities: entities, at: at))
        }
    }

    /// A lookup whose commands are queued on the connection and whose replies are not read yet.
    public typealias PendingLookup = OnlineLookupCodec.PendingLookup

    /// Checks `entities` and queues the lookup's commands on the connection without sending them, so
    /// that the lookups of several callers can share one pipelined write; `receive` them in the order
    /// they were sent.
    /// - Throws: `OnlineError.badEntity` before anything is queued, `RedisError` when Redis fails.
    public func send(_ query: OnlineQuery, entities: Frame, at: Int64? = nil) throws -> PendingLookup {
        let pending = try codec.encode(query, entities: entities, at: at)
        try redis.append(codec.commands)
        return pending
    }

    /// Reads and decodes the replies of a lookup queued by `send`, sending what is queued first.
    /// - Complexity: O(rows × (views + features)) work.
    public func receive(_ pending: PendingLookup) throws -> OnlineFeatures {
        try codec.decode(pending) { count, body in try redis.readReplies(count, body) }
    }

    /// The answer assembled from a call's decoded scratch cells, statuses and strings.
    static func features(
        _ query: OnlineQuery, keyColumns: [Column], layout: Scratch, base: UnsafeMutableRawPointer,
        statuses: [FeatureStatus], strings: [[UInt8]]
    ) -> OnlineFeatures {
        let rows = layout.rows
        var values: [Column] = []
        values.reserveCapacity(query.references.count)
        for (slot, type) in query.featureTypes.enumerated() {
            values.append(column(slot: slot, type: type, layout: layout, base: base, strings: strings[slot]))
        }
        let timestamps = (0..<query.groups.count).map { group in
            array(base + layout.times + group * rows * 8, count: rows, of: Int64.self)
        }
        return OnlineFeatures(
            references: query.references, joinKeys: query.joinKeys.map(\.name), entities: keyColumns,
            values: values, statusCodes: statuses, groupTimestamps: timestamps,
            featureGroup: query.featureGroup, rowCount: rows)
    }

    /// Where a call's decoded data lies in the scratch memory: per requested feature, a cell of 8 bytes
    /// per row (a fixed-width value at `row × width`, or a string's length) and its validity words; per
    /// view, each row's event time.
    struct Scratch {
        let rows: Int
        let words: Int
        let validity: Int
        let times: Int
        let byteCount: Int

        init(features: Int, groups: Int, rows: Int) {
            self.rows = rows
            words = Bitmap.wordCount(for: rows)
            validity = features * rows * 8
            times = validity + features * words * 8
            byteCount = times + groups * rows * 8
        }
    }

    /// Decodes one stored record (any bytes: Redis holds what anyone wrote) into the scratch cells and
    /// statuses of the group's requested features; returns the event time (0 when not found).
    @inline(__always)
    static func decode(
        record: UnsafeRawBufferPointer, group: OnlineQuery.Group, row: Int, layout: Scratch,
        base: UnsafeMutableRawPointer, at: Int64, statuses: UnsafeMutableBufferPointer<FeatureStatus>,
        strings: inout [[UInt8]]
    ) throws -> Int64 {
        guard let header = OnlineRecord.header(record), header.tag == group.view.tag else { return 0 }
        // A record from after `at` was not known at `at`, and the value it replaced is gone: NOT_FOUND,
        // never a later value as PRESENT (online equals offline wherever it answers).
        if header.event > at { return 0 }
        if let expiry = group.expiryMicros, at >= UTCTimestamp.adding(expiry, to: header.event) { return 0 }
        let rows = layout.rows
        if group.ttlMicros > 0, header.event < UTCTimestamp.subtracting(group.ttlMicros, from: at) {
            for slot in group.slots where slot >= 0 { statuses[slot * rows + row] = .outsideMaxAge }
            return header.event
        }
        let types = group.types
        let slots = group.slots
        let bitmap = OnlineRecord.headerSize
        var offset = bitmap + (types.count + 7) / 8
        guard record.count >= offset else { throw corrupt(group) }
        for index in 0..<types.count {
            let slot = slots[index]
            if record[bitmap + index / 8] & (1 << UInt8(index % 8)) != 0 {
                if slot >= 0 { statuses[slot * rows + row] = .nullValue }
                continue
            }
            let type = types[index]
            let width: Int
            var start = offset
            switch type {
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
            // A garbled length may be near Int.max: compare it with what is left, never add to it.
            guard width >= 0, width <= record.count - start else { throw corrupt(group) }
            offset = start + width
            guard slot >= 0 else { continue }
            statuses[slot * rows + row] = .present
            let word = base + layout.validity + (slot * layout.words + row >> 6) * 8
            word.storeBytes(of: word.load(as: UInt64.self) | 1 << UInt64(row & 63), as: UInt64.self)
            let cells = base + slot * rows * 8
            switch type {
            case .float64, .int64, .timestamp:
                cells.storeBytes(
                    of: UInt64(littleEndian: record.loadUnaligned(fromByteOffset: start, as: UInt64.self)),
                    toByteOffset: row * 8, as: UInt64.self)
            case .float32, .int32:
                cells.storeBytes(
                    of: UInt32(littleEndian: record.loadUnaligned(fromByteOffset: start, as: UInt32.self)),
                    toByteOffset: row * 4, as: UInt32.self)
            case .bool:
                cells.storeBytes(of: record[start] != 0, toByteOffset: row, as: Bool.self)
            case .string:
                cells.storeBytes(of: width, toByteOffset: row * 8, as: Int.self)
                strings[slot].append(contentsOf: UnsafeRawBufferPointer(rebasing: record[start..<start + width]))
            }
        }
        return header.event
    }

    /// The column of requested feature `slot` from its scratch cells and validity words.
    static func column(
        slot: Int, type: ColumnType, layout: Scratch, base: UnsafeMutableRawPointer, strings: [UInt8]
    ) -> Column {
        let rows = layout.rows
        let cells = UnsafeRawPointer(base + slot * rows * 8)
        let validity = UnsafeRawPointer(base + layout.validity + slot * layout.words * 8)
        var valid = 0
        for word in 0..<layout.words { valid += validity.load(fromByteOffset: word * 8, as: UInt64.self).nonzeroBitCount }
        let storage: Column.Storage
        switch type {
        case .float64: storage = .float64(array(cells, count: rows, of: Double.self))
        case .int64: storage = .int64(array(cells, count: rows, of: Int64.self))
        case .timestamp: storage = .timestamp(array(cells, count: rows, of: Int64.self))
        case .float32: storage = .float32(array(cells, count: rows, of: Float.self))
        case .int32: storage = .int32(array(cells, count: rows, of: Int32.self))
        case .bool: storage = .bool(array(cells, count: rows, of: Bool.self))
        case .string:
            let offsets = [Int](uninitializedCount: rows + 1) { buffer, initialized in
                var end = 0
                buffer[0] = 0
                for row in 0..<rows {
                    end += cells.load(fromByteOffset: row * 8, as: Int.self)
                    buffer[row + 1] = end
                }
                initialized = rows + 1
            }
            storage = .string(bytes: strings, offsets: offsets)
        }
        guard valid < rows else { return Column(storage: storage) }
        return Column(storage: storage, validity: Bitmap(words: array(validity, count: layout.words, of: UInt64.self), count: rows))
    }

    /// `count` values of a trivial type copied out of scratch memory.
    @inline(__always)
    private static func array<T: BitwiseCopyable>(_ source: UnsafeRawPointer, count: Int, of type: T.Type) -> [T] {
        [T](uninitializedCount: count) { buffer, initialized in
            if let target = buffer.baseAddress, count > 0 {
                UnsafeMutableRawPointer(target).copyMemory(from: source, byteCount: count * MemoryLayout<T>.stride)
            }
            initialized = count
        }
    }

    static func corrupt(_ group: OnlineQuery.Group) -> OnlineError {
        OnlineError(
            .corruptRecord,
            "a record of feature view \(group.view.view.name) in Redis is truncated or malformed; materialise the view again")
    }
}

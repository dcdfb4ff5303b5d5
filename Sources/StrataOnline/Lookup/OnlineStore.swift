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

    /// The call's `HGET`s, encoded in the Redis protocol into one buffer kept from call to call.
    private let commands = RedisCommandBuffer()
    /// Entity keys of a view with several or string join keys, back to back, and where each ends.
    private var fields: [UInt8] = []
    private var fieldEnds: [Int] = []
    /// Decoded values, validity words and event times of a call, kept from call to call (`Scratch`).
    private var scratch: UnsafeMutableRawPointer
    private var scratchCapacity: Int
    private static let hget: StaticString = "HGET"

    /// A store reading `repository`'s views from `redis`.
    public init(redis: any RedisClient, repository: Repository) {
        self.redis = redis
        self.repository = repository
        scratchCapacity = 4096
        scratch = .allocate(byteCount: scratchCapacity, alignment: 16)
    }

    deinit {
        scratch.deallocate()
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
    public struct PendingLookup: Sendable {
        let query: OnlineQuery
        let keyColumns: [Column]
        let rows: Int
        let at: Int64
        /// The wall clock when the lookup was sent (µs).
        let now: Int64
        /// The number of replies the lookup will read.
        public let commandCount: Int
    }

    /// Checks `entities` and queues the lookup's commands on the connection without sending them, so
    /// that the lookups of several callers can share one pipelined write; `receive` them in the order
    /// they were sent.
    /// - Throws: `OnlineError.badEntity` before anything is queued, `RedisError` when Redis fails.
    public func send(_ query: OnlineQuery, entities: Frame, at: Int64? = nil) throws -> PendingLookup {
        let keyColumns = try query.keyColumns(entities)
        let rows = entities.rowCount
        let now = OnlineClock.nowMicros()
        let at = at ?? now
        encodeCommands(query, keyColumns: keyColumns, rows: rows)
        try redis.append(commands)
        return PendingLookup(query: query, keyColumns: keyColumns, rows: rows, at: at, now: now, commandCount: commands.commandCount)
    }

    /// Reads and decodes the replies of a lookup queued by `send`, sending what is queued first.
    /// - Complexity: O(rows × (views + features)) work.
    public func receive(_ pending: PendingLookup) throws -> OnlineFeatures {
        let query = pending.query
        let keyColumns = pending.keyColumns
        let rows = pending.rows
        let at = pending.at
        let now = pending.now
        let layout = Scratch(features: query.references.count, groups: query.groups.count, rows: rows)
        if layout.byteCount > scratchCapacity {
            scratch.deallocate()
            scratchCapacity = max(layout.byteCount, scratchCapacity * 2)
            scratch = .allocate(byteCount: scratchCapacity, alignment: 16)
        }
        let base = scratch
        base.initializeMemory(as: UInt8.self, repeating: 0, count: layout.byteCount)
        var statuses = [FeatureStatus](repeating: .notFound, count: rows * query.references.count)
        var strings = [[UInt8]](repeating: [], count: query.references.count)
        try query.groups.withUnsafeBufferPointer { groups in
            try statuses.withUnsafeMutableBufferPointer { statuses in
                try redis.readReplies(pending.commandCount) { index, reply in
                    let group = index / rows
                    let row = index - group * rows
                    let event = try Self.decode(
                        reply, group: groups[group], row: row, layout: layout, base: base, at: at, now: now, statuses: statuses,
                        strings: &strings)
                    (base + layout.times).storeBytes(of: event, toByteOffset: (group * rows + row) * 8, as: Int64.self)
                }
            }
        }
        return Self.features(
            query, keyColumns: keyColumns, layout: layout, base: base, statuses: statuses, strings: strings)
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

    /// Encodes `HGET bucket-key entity-key` for every (view, row), views in query order.
    private func encodeCommands(_ query: OnlineQuery, keyColumns: [Column], rows: Int) {
        commands.removeAll()
        let hget = UnsafeRawBufferPointer(start: Self.hget.utf8Start, count: Self.hget.utf8CodeUnitCount)
        let overhead = RedisCommandWriter.maxCommandHeaderBytes + 3 * RedisCommandWriter.maxArgumentOverhead + hget.count
        for group in query.groups {
            let keyLength = group.view.keyPrefix.count + OnlineLayout.hashTagSize
            group.view.keyPrefix.withUnsafeBytes { prefix in
                if group.keyPositions.count == 1, case .int64(let ids) = keyColumns[group.keyPositions[0]].storage {
                    ids.withUnsafeBufferPointer { ids in
                        commands.write(commands: rows, maxBytes: rows * (overhead + keyLength + 8)) { writer in
                            for row in 0..<rows {
                                withUnsafeBytes(of: UInt64(bitPattern: ids[row]).littleEndian) { field in
                                    Self.encode(hget, key: prefix, keyLength: keyLength, field: field, to: &writer)
                                }
                            }
                        }
                    }
                    return
                }
                let columns = group.keyPositions.map { keyColumns[$0] }
                fields.removeAll(keepingCapacity: true)
                fieldEnds.removeAll(keepingCapacity: true)
                for row in 0..<rows {
                    OnlineLayout.appendEntityKey(columns, row: row, to: &fields)
                    fieldEnds.append(fields.count)
                }
                fields.withUnsafeBytes { bytes in
                    fieldEnds.withUnsafeBufferPointer { ends in
                        commands.write(commands: rows, maxBytes: rows * (overhead + keyLength) + bytes.count) { writer in
                            var start = 0
                            for end in ends {
                                let field = UnsafeRawBufferPointer(rebasing: bytes[start..<end])
                                Self.encode(hget, key: prefix, keyLength: keyLength, field: field, to: &writer)
                                start = end
                            }
                        }
                    }
                }
            }
        }
    }

    /// `HGET <prefix>{bucket} <field>`, the bucket hashed from the field.
    @inline(__always)
    private static func encode(
        _ hget: UnsafeRawBufferPointer, key prefix: UnsafeRawBufferPointer, keyLength: Int, field: UnsafeRawBufferPointer,
        to writer: inout RedisCommandWriter
    ) {
        writer.commandHeader(arguments: 3)
        writer.argument(hget)
        writer.argumentHeader(length: keyLength)
        writer.raw(prefix)
        withUnsafeBytes(of: OnlineLayout.hashTag(bucket: OnlineLayout.bucket(of: field))) { tag in
            writer.raw(UnsafeRawBufferPointer(rebasing: tag[..<OnlineLayout.hashTagSize]))
        }
        writer.argumentEnd()
        writer.argument(field)
    }

    /// Decodes one reply into the scratch cells and statuses of the group's requested features; returns
    /// the event time (0 when not found).
    @inline(__always)
    private static func decode(
        _ reply: RedisReplyView, group: OnlineQuery.Group, row: Int, layout: Scratch, base: UnsafeMutableRawPointer,
        at: Int64, now: Int64, statuses: UnsafeMutableBufferPointer<FeatureStatus>, strings: inout [[UInt8]]
    ) throws -> Int64 {
        let kind = reply.kind
        if kind == .error {
            throw RedisError(
                code: .serverError,
                message: "Redis refused a lookup of feature view \(group.view.view.name): \(reply.string ?? "")",
                underlying: reply.string)
        }
        if let plan = group.tiles {
            // Anything but a record or no record (another kind of reply) is NOT_FOUND, as for plain views.
            guard kind == .null || kind == .bulk else { return 0 }
            return try decodeTiles(
                record: kind == .bulk ? reply.bytes : nil, group: group, plan: plan, row: row, layout: layout, base: base, at: at,
                now: now, statuses: statuses)
        }
        guard kind == .bulk, let record = reply.bytes else { return 0 }
        return try decode(
            record: record, group: group, row: row, layout: layout, base: base, at: at, statuses: statuses,
            strings: &strings)
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
            let offsets = [Int](unsafeUninitializedCapacity: rows + 1) { buffer, initialized in
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
        [T](unsafeUninitializedCapacity: count) { buffer, initialized in
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

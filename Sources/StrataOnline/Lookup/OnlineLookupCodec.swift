import StrataColumnar
import StrataCore
import StrataRedis

/// The two halves of an online lookup that do not touch the network: encoding its `HGET`s in the Redis
/// protocol, and decoding their replies into the answer's columns. `OnlineStore` sends and reads them over
/// a blocking client; a server can write them on its own non-blocking connection and decode the replies
/// as they arrive, with the same code.
///
/// Not thread-safe: it owns the command buffer and the decoding scratch, reused from call to call.
public final class OnlineLookupCodec {
    /// The last encoded lookup's commands, in the Redis protocol; overwritten by the next `encode`.
    public let commands = RedisCommandBuffer()
    /// Entity keys of a view with several or string join keys, back to back, and where each ends.
    private var fields: [UInt8] = []
    private var fieldEnds: [Int] = []
    /// Decoded values, validity words and event times of a call, kept from call to call (`OnlineStore.Scratch`).
    private var scratch: UnsafeMutableRawPointer
    private var scratchCapacity: Int
    private static let hget: StaticString = "HGET"

    /// A codec with empty buffers.
    public init() {
        scratchCapacity = 4096
        scratch = .allocate(byteCount: scratchCapacity, alignment: 16)
    }

    deinit {
        scratch.deallocate()
    }

    /// A lookup whose commands were encoded and whose replies are not decoded yet.
    public struct PendingLookup: Sendable {
        let query: OnlineQuery
        let keyColumns: [Column]
        let rows: Int
        let at: Int64
        /// The wall clock when the lookup was encoded (µs).
        let now: Int64
        /// The number of replies the lookup will read.
        public let commandCount: Int
    }

    /// Checks `entities` and encodes the lookup's commands into `commands` (replacing what was there).
    /// - Throws: `OnlineError.badEntity` for entities that do not fit the query's join keys.
    public func encode(_ query: OnlineQuery, entities: Frame, at: Int64? = nil) throws -> PendingLookup {
        let keyColumns = try query.keyColumns(entities)
        let rows = entities.rowCount
        let now = OnlineClock.nowMicros()
        let at = at ?? now
        encodeCommands(query, keyColumns: keyColumns, rows: rows)
        return PendingLookup(query: query, keyColumns: keyColumns, rows: rows, at: at, now: now, commandCount: commands.commandCount)
    }

    /// Decodes the replies of an encoded lookup, which `read` hands out in request order: it is called once
    /// with the lookup's `commandCount` and a body to call with each reply's index and view.
    /// - Throws: `RedisError` for an error reply or what `read` throws, `OnlineError.corruptRecord` for a
    ///   malformed record.
    /// - Complexity: O(rows × (views + features)) work.
    public func decode(
        _ pending: PendingLookup, replies read: (Int, (Int, RedisReplyView) throws -> Void) throws -> Void
    ) throws -> OnlineFeatures {
        let query = pending.query
        let rows = pending.rows
        let at = pending.at
        let now = pending.now
        let layout = OnlineStore.Scratch(features: query.references.count, groups: query.groups.count, rows: rows)
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
                try read(pending.commandCount) { index, reply in
                    let group = index / rows
                    let row = index - group * rows
                    let event = try Self.decode(
                        reply, group: groups[group], row: row, layout: layout, base: base, at: at, now: now, statuses: statuses,
                        strings: &strings)
                    (base + layout.times).storeBytes(of: event, toByteOffset: (group * rows + row) * 8, as: Int64.self)
                }
            }
        }
        return OnlineStore.features(
            query, keyColumns: pending.keyColumns, layout: layout, base: base, statuses: statuses, strings: strings)
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
        _ reply: RedisReplyView, group: OnlineQuery.Group, row: Int, layout: OnlineStore.Scratch, base: UnsafeMutableRawPointer,
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
            return try OnlineStore.decodeTiles(
                record: kind == .bulk ? reply.bytes : nil, group: group, plan: plan, row: row, layout: layout, base: base, at: at,
                now: now, statuses: statuses)
        }
        guard kind == .bulk, let record = reply.bytes else { return 0 }
        return try OnlineStore.decode(
            record: record, group: group, row: row, layout: layout, base: base, at: at, statuses: statuses,
            strings: &strings)
    }
}

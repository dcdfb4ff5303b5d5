import StrataRedis

/// Writes encoded entries to Redis with the newer-wins rule: pipelined `HSETNX` for entities new to
/// Redis, pipelined `FCALL strata_put` for the others; every command of a phase is queued before its
/// replies are read, so a batch costs one or two round trips.
///
/// On a Redis Cluster a call may declare keys of one slot only, and a batch's entries fall in thousands of
/// slots: the entries are grouped by the master that serves their bucket and written with
/// `FCALL strata_put_local` (one declared key, the others passed as arguments), as many per call as on one
/// server. A call that meets a bucket its master no longer serves (a resharding moved it) stops with an
/// error; its entries are then written one per `FCALL strata_put`, which the cluster client routes and
/// redirects like any single-key command.
final class OnlineWriter<Redis: RedisClient> {
    let redis: Redis
    /// Entries per FCALL: large enough to amortise the call, small enough not to stall Redis.
    let entriesPerCall: Int
    /// A phase's commands, encoded back to back so that they reach hiredis in one copy.
    private let commands = RedisCommandBuffer()
    private var numberText: [UInt8] = []


    init(redis: Redis, entriesPerCall: Int = 256) {
        self.redis = redis
        self.entriesPerCall = entriesPerCall
    }

    /// Whether the next batch tries plain `HSETNX` first; off while most entities already exist.
    private var insertFirst = true
    private var batchesSinceTry = 0

    /// Writes every entry of `batch`; returns how many replaced (or created) a stored record.
    ///
    /// Entities new to Redis cost one native `HSETNX` each, pipelined; only entities that exist go
    /// through the newer-wins function. When most of a batch already existed, the following batches go
    /// straight to the function (retrying `HSETNX` first every 16th batch).
    /// - Throws: `RedisError` on a lost connection, a timeout or an error reply.
    @discardableResult
    func write(_ batch: EncodedBatch) throws -> Int {
        guard batch.count > 0 else { return 0 }
        batchesSinceTry += 1
        guard !batch.expiring, insertFirst || batchesSinceTry >= 16 else {
            return try compareAndSet(batch, Array(0..<batch.count))
        }
        batchesSinceTry = 0
        let existing = try insertNew(batch)
        insertFirst = existing.count * 2 <= batch.count
        return batch.count - existing.count + (existing.isEmpty ? 0 : try compareAndSet(batch, existing))
    }

    /// Pipelined `HSETNX` of every entry; returns the indices of entries whose field already existed.
    private func insertNew(_ batch: EncodedBatch) throws -> [Int] {
        commands.removeAll()
        batch.keys.withUnsafeBytes { keys in
            batch.fields.withUnsafeBytes { fields in
                batch.records.bytes.withUnsafeBytes { records in
                    WriterArguments.hsetnx.withUnsafeBytes { command in
                        // The argument pointers borrow the batch's arenas: they live only in this scope.
                        var arguments: [UnsafeRawBufferPointer] = []
                        arguments.reserveCapacity(4)
                        for i in 0..<batch.count {
                            arguments.removeAll(keepingCapacity: true)
                            arguments.append(command)
                            arguments.append(slice(keys, batch.keyOffsets[i], batch.keyOffsets[i + 1]))
                            arguments.append(slice(fields, batch.fieldOffsets[i], batch.fieldOffsets[i + 1]))
                            arguments.append(slice(records, batch.records.offsets[i], batch.records.offsets[i + 1]))
                            arguments.withUnsafeBufferPointer { commands.append($0) }
                        }
                    }
                }
            }
        }
        try redis.append(commands)
        var existing: [Int] = []
        try redis.readReplies(batch.count) { i, reply in
            guard let stored = reply.integer else { throw refused(reply.string) }
            if stored == 0 { existing.append(i) }
        }
        return existing
    }

    /// The entries at `indices` through `FCALL strata_put`, pipelined; returns how many were written.
    private func compareAndSet(_ batch: EncodedBatch, _ indices: [Int]) throws -> Int {
        if redis.isCluster { return try compareAndSetByMaster(batch, indices) }
        var calls: [Range<Int>] = []
        var start = 0
        while start < indices.count {
            let end = min(start + entriesPerCall, indices.count)
            calls.append(start..<end)
            start = end
        }
        encodeCalls(batch, indices, calls, local: false)
        try redis.append(commands)
        var written = 0
        try redis.readReplies(commands.commandCount) { _, reply in
            guard let count = reply.integer else { throw refused(reply.string) }
            written += Int(count)
        }
        return written
    }

    /// The cluster's form of `compareAndSet`: the entries grouped by the master that serves their bucket, up
    /// to `entriesPerCall` per `FCALL strata_put_local`; the entries of a call that failed (a bucket that moved
    /// to another master) are written again one per `FCALL strata_put`.
    private func compareAndSetByMaster(_ batch: EncodedBatch, _ indices: [Int]) throws -> Int {
        let masters = batch.keys.withUnsafeBytes { keys in
            indices.map { redis.serverIndex(forKey: slice(keys, batch.keyOffsets[$0], batch.keyOffsets[$0 + 1])) }
        }
        let order = indices.indices.sorted { (masters[$0], $0) < (masters[$1], $1) }
        let entries = order.map { indices[$0] }
        var calls: [Range<Int>] = []
        var start = 0
        while start < order.count {
            var end = start + 1
            while end < order.count, end - start < entriesPerCall, masters[order[end]] == masters[order[start]] { end += 1 }
            calls.append(start..<end)
            start = end
        }
        encodeCalls(batch, entries, calls, local: true)
        try redis.append(commands)
        var written = 0
        var retry: [Int] = []
        try redis.readReplies(calls.count) { call, reply in
            if let count = reply.integer {
                written += Int(count)
            } else {
                retry.append(contentsOf: entries[calls[call]])
            }
        }
        guard !retry.isEmpty else { return written }
        encodeCalls(batch, retry, retry.indices.map { $0..<($0 + 1) }, local: false)
        try redis.append(commands)
        try redis.readReplies(retry.count) { _, reply in
            guard let count = reply.integer else { throw refused(reply.string) }
            written += Int(count)
        }
        return written
    }

    /// Encodes into `commands` one `FCALL` per range of `entries`: `strata_put`, or `strata_put_local` when `local`.
    private func encodeCalls(_ batch: EncodedBatch, _ entries: [Int], _ calls: [Range<Int>], local: Bool) {
        commands.removeAll()
        batch.keys.withUnsafeBytes { keys in
            batch.fields.withUnsafeBytes { fields in
                batch.records.bytes.withUnsafeBytes { records in
                    batch.deadlines.withUnsafeBytes { deadlines in
                        // The argument pointers borrow the batch's arenas: they live only in this scope.
                        var arguments: [UnsafeRawBufferPointer] = []
                        arguments.reserveCapacity(6 + 4 * min(entriesPerCall, entries.count))
                        for call in calls {
                            appendCall(
                                batch, entries[call], keys: keys, fields: fields, records: records, deadlines: deadlines,
                                arguments: &arguments, local: local)
                        }
                    }
                }
            }
        }
    }

    private func refused(_ detail: String?) -> RedisError {
        let detail = detail ?? "unexpected reply"
        return RedisError(
            code: .serverError, message: "Redis at \(redis.redactedURL) refused a write: \(detail)",
            url: redis.redactedURL, underlying: detail)
    }

    /// Encodes `FCALL strata_put <n> key... <flag> field record [deadline]...`, or with `local`
    /// `FCALL strata_put_local 1 <first key> <n> key... <flag> field record [deadline]...`.
    private func appendCall(
        _ batch: EncodedBatch, _ range: ArraySlice<Int>, keys: UnsafeRawBufferPointer, fields: UnsafeRawBufferPointer,
        records: UnsafeRawBufferPointer, deadlines: UnsafeRawBufferPointer, arguments: inout [UnsafeRawBufferPointer],
        local: Bool
    ) {
        numberText = Array(String(range.count).utf8)
        WriterArguments.fcall.withUnsafeBytes { fcall in
            (local ? WriterArguments.localFunction : WriterArguments.function).withUnsafeBytes { function in
                (batch.expiring ? WriterArguments.one : WriterArguments.zero).withUnsafeBytes { flag in
                    numberText.withUnsafeBytes { number in
                        WriterArguments.one.withUnsafeBytes { one in
                            arguments.removeAll(keepingCapacity: true)
                            arguments.append(fcall)
                            arguments.append(function)
                            if local, let first = range.first {
                                arguments.append(one)
                                arguments.append(slice(keys, batch.keyOffsets[first], batch.keyOffsets[first + 1]))
                            }
                            arguments.append(number)
                            for i in range {
                                arguments.append(slice(keys, batch.keyOffsets[i], batch.keyOffsets[i + 1]))
                            }
                            arguments.append(flag)
                            for i in range {
                                arguments.append(slice(fields, batch.fieldOffsets[i], batch.fieldOffsets[i + 1]))
                                arguments.append(slice(records, batch.records.offsets[i], batch.records.offsets[i + 1]))
                                if batch.expiring {
                                    arguments.append(slice(deadlines, batch.deadlineOffsets[i], batch.deadlineOffsets[i + 1]))
                                }
                            }
                            arguments.withUnsafeBufferPointer { commands.append($0) }
                            // The constants' pointers end with this scope; none may stay in the caller's array.
                            arguments.removeAll(keepingCapacity: true)
                        }
                    }
                }
            }
        }
    }

    @inline(__always)
    private func slice(_ base: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: base[start..<end])
    }
}

/// The constant arguments of the writer's commands.
private enum WriterArguments {
    static let fcall = Array("FCALL".utf8)
    static let function = Array(OnlineFunctions.put.utf8)
    static let localFunction = Array(OnlineFunctions.putLocal.utf8)
    static let zero = Array("0".utf8)
    static let one = Array("1".utf8)
    static let hsetnx = Array("HSETNX".utf8)
}

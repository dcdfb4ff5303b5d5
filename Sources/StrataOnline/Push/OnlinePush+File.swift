import StrataOffline
import StrataRedis
import StrataRegistry

extension OnlinePush {
    /// What a push of a file did.
    public struct FileSummary: Sendable, Hashable {
        /// The rows in the file.
        public var rows: Int
        /// The records that replaced (or created) a stored one.
        public var written: Int
    }

    /// The passes of a file push, for progress reports.
    public enum Pass: String, Sendable, Hashable {
        case checking = "checked"
        case appending = "appended offline"
        case writing = "written online"
    }

    /// Pushes a CSV file of any size in bounded memory, with `write(_ rows:…)`'s order and guarantees:
    /// every row is checked first (a pass that keeps nothing), so that a malformed row writes nothing;
    /// then, holding the view's push lock (`holdingPushLock`), the deletions an `apply` left pending; then, with `offline`, every row is appended to the
    /// source table in one transaction and committed (a second pass); then the rows are written to Redis
    /// with the newer-wins rule in batches of at most `batchRows` rows and `batchBytes` bytes of fields,
    /// one pipeline each (a third pass). Memory holds one batch, whatever the file's size; the file must
    /// not change while it is pushed. A push to an aggregation view is parsed whole and written by
    /// `write(_ rows:…)`, which rebuilds its entities' tiles from the source.
    /// - Parameters:
    ///   - progress: called after each batch with the pass and the rows done in it.
    ///   - waiting: hears why the push waits for an apply.
    /// - Throws: as `write(_ rows:…)`; `OnlineError.badInput` naming `file:line` for a malformed row.
    @discardableResult
    public func write(
        file reader: CSVReader, registry: Registry, redis: some RedisClient, offline: Bool, now: Int64,
        batchRows: Int = 16_384, batchBytes: Int = 8 << 20, progress: (Pass, Int) -> Void = { _, _ in },
        waiting: (String) -> Void = { _ in }
    ) throws -> FileSummary {
        if view.view.isAggregation {
            // The pushed entities' tiles are rebuilt from the source after the append, in one pass over
            // the whole push: an aggregation push is held in memory.
            let rows = try parse(reader, now: now)
            progress(.checking, rows.count)
            let written = try write(rows, registry: registry, redis: redis, offline: offline, waiting: waiting)
            progress(.writing, rows.count)
            return FileSummary(rows: rows.count, written: written)
        }
        let rows = try batches(of: reader, rows: batchRows, bytes: batchBytes, now: now) { progress(.checking, $1) }
        return try holdingPushLock(registry: registry, waiting: waiting) {
            try writeChecked(
                file: reader, rows: rows, registry: registry, redis: redis, offline: offline, now: now, batchRows: batchRows,
                batchBytes: batchBytes, progress: progress)
        }
    }

    /// The passes of `write(file:…)` after the check: the pending deletions, the offline append, the online writes.
    private func writeChecked(
        file reader: CSVReader, rows: Int, registry: Registry, redis: some RedisClient, offline: Bool, now: Int64,
        batchRows: Int, batchBytes: Int, progress: (Pass, Int) -> Void
    ) throws -> FileSummary {
        _ = try OnlineCleanup.complete(project: view.project, registry: registry, redis: redis)
        if offline {
            try registry.connection.transaction { db in
                try createStagingTable(db)
                try batches(of: try reader.reopened(), rows: batchRows, bytes: batchBytes, now: now) { batch, done in
                    try stage(batch, db: db)
                    progress(.appending, done)
                }
                try insertStaged(db)
            }
        }
        var written = 0
        do {
            try OnlineFunctions.load(redis)
            let writer = OnlineWriter(redis: redis)
            try batches(of: try reader.reopened(), rows: batchRows, bytes: batchBytes, now: now) { batch, done in
                written += try writer.write(
                    EncodedBatch(
                        view: view, keys: batch.keys, event: batch.event, created: batch.created, features: batch.features,
                        now: OnlineClock.nowMicros()))
                progress(.writing, done)
            }
        } catch let error as RedisError {
            throw onlineWriteFailed(error, rows: rows, offline: offline, redis: redis)
        }
        return FileSummary(rows: rows, written: written)
    }

    /// Parses `reader` in batches of at most `rows` rows and about `bytes` bytes, handing each to `body` with the rows parsed so
    /// far; returns the number of rows.
    @discardableResult
    private func batches(of reader: CSVReader, rows: Int, bytes: Int, now: Int64, _ body: (Rows, Int) throws -> Void) throws -> Int {
        var parser = try PushRowParser(view: view, header: reader.header, file: reader.file, now: now)
        var record = CSVRecord()
        var done = 0
        while try reader.next(&record) {
            try parser.append(record)
            if parser.count >= rows || parser.bytes >= bytes {
                done += parser.count
                try body(parser.finish(), done)
            }
        }
        if parser.count > 0 || done == 0 {
            done += parser.count
            try body(parser.finish(), done)
        }
        return done
    }
}

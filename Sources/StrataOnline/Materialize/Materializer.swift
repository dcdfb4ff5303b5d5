import Foundation
import StrataColumnar
import StrataCore
import StrataPostgres
import StrataRedis
import StrataRegistry

/// Materialisation (DESIGN.md "Materialisation"): per online view, the latest row per entity in a window,
/// computed in PostgreSQL, streamed by binary COPY in batches and written to Redis in pipelined batches
/// with the newer-wins rule; the views' watermarks advance, in one transaction, only after every write
/// of the run succeeded and Redis was not restarted meanwhile.
///
/// Not thread-safe: it uses the registry's PostgreSQL connection and one Redis connection.
public final class Materializer {
    /// What one view's run did.
    public struct ViewReport: Sendable, Hashable {
        /// The view.
        public var view: String
        /// The window's start (µs, inclusive), nil for the beginning of time.
        public var start: Int64?
        /// The window's end (µs, inclusive).
        public var end: Int64
        /// Entities read from PostgreSQL (one latest row each).
        public var entities: Int
        /// Records that replaced (or created) a stored one; the rest were older than what Redis held.
        public var written: Int
        /// Wall-clock seconds.
        public var seconds: Double
    }

    /// Called after each batch with the view, the entities written so far and the seconds elapsed.
    public typealias Progress = (_ view: String, _ entities: Int, _ seconds: Double) -> Void

    /// The registry, whose connection also reads the source tables.
    public let registry: Registry
    /// The online store.
    public let redis: RedisConnection
    /// Rows per COPY batch, and so per pipelined round trip to Redis.
    public var batchRows = 16_384
    /// Whether a writer thread sends each batch to Redis while the next one is read from PostgreSQL.
    public var overlapsWrites = true

    /// A materialiser over `registry`'s database and `redis`.
    public init(registry: Registry, redis: RedisConnection) {
        self.registry = registry
        self.redis = redis
    }

    /// Materialises `[start, end]` (inclusive; nil start: the beginning of time) of the named online
    /// views (all online views when nil), then moves their watermarks forward to `end`.
    /// - Throws: `OnlineError` for an unknown or offline-only view, a window that ends before it starts,
    ///   or a Redis restart during the run; `RedisError`/`PostgresError` when a service fails.
    @discardableResult
    public func materialize(
        project: String, views names: [String]? = nil, start: Int64?, end: Int64, progress: Progress = { _, _, _ in }
    ) throws -> [ViewReport] {
        if let start, start > end {
            throw OnlineError(
                .badInput,
                "the window starts at \(UTCTimestamp.format(start)), after its end \(UTCTimestamp.format(end)); expected --start <= --end")
        }
        let views = try onlineViews(project: project, names: names)
        return try run(project: project, plans: views.map { ($0, start) }, end: end, progress: progress)
    }

    /// Materialises each online view (or the named ones) from its watermark (inclusive; the beginning of
    /// time on the first run) to `end`, then moves the watermarks to `end`. A view whose watermark is
    /// already past `end` is left alone.
    @discardableResult
    public func materializeIncremental(
        project: String, views names: [String]? = nil, end: Int64, progress: Progress = { _, _, _ in }
    ) throws -> [ViewReport] {
        let views = try onlineViews(project: project, names: names)
        let marks = try registry.watermarks(project: project)
        return try run(project: project, plans: views.map { ($0, marks[$0.view.name]) }, end: end, progress: progress)
    }

    func onlineViews(project: String, names: [String]?) throws -> [OnlineView] {
        let repository = try registry.repository(project: project)
        guard !repository.featureViews.isEmpty else {
            throw OnlineError(.unknownFeature, "project \(project) has no registered feature views; run `strata apply` first")
        }
        if let names {
            return try names.map { name in
                let view = try OnlineView(named: name, in: repository)
                guard view.view.online else {
                    throw OnlineError(.notOnline, "feature view \(name) has online: false; it is not materialised into the online store")
                }
                return view
            }
        }
        return try repository.featureViews.filter(\.online).map { try OnlineView(named: $0.name, in: repository) }
    }

    func run(project: String, plans: [(OnlineView, Int64?)], end: Int64, progress: Progress) throws -> [ViewReport] {
        let serverBefore = try OnlineFunctions.runID(redis)
        try OnlineFunctions.load(redis)
        let writer = OnlineWriter(redis: redis)
        var reports: [ViewReport] = []
        var marks: [String: Int64] = [:]
        do {
            for (view, start) in plans {
                if let start, start > end { continue }
                reports.append(try materialize(view, start: start, end: end, writer: writer, progress: progress))
                marks[view.view.name] = end
            }
            let serverAfter = try OnlineFunctions.runID(redis)
            guard serverAfter == serverBefore else { throw restarted(nil) }
        } catch let error as RedisError {
            if let serverNow = try? OnlineFunctions.runID(redis), serverNow != serverBefore { throw restarted(error) }
            throw error
        }
        try registry.advanceWatermarks(project: project, to: marks)
        return reports
    }

    func restarted(_ error: RedisError?) -> OnlineError {
        OnlineError(
            .redisRestarted,
            "Redis at \(redis.url.redacted) was restarted during materialisation, so values written before the restart may be lost; the watermarks were not advanced: run the materialisation again",
            underlying: error?.description)
    }

    func materialize(
        _ view: OnlineView, start: Int64?, end: Int64, writer: OnlineWriter, progress: Progress
    ) throws -> ViewReport {
        let query = try MaterializationQuery(view: view, start: start, end: end)
        let clock = ContinuousClock()
        let began = clock.now
        var entities = 0
        var written = 0
        let keyCount = view.entities.count
        let firstFeature = keyCount + (query.hasCreated ? 2 : 1)
        let now = OnlineClock.nowMicros()
        let queue = overlapsWrites ? WriteQueue(writer: writer) : nil
        do {
            try registry.connection.copyOut(query: query.sql, columns: query.copyColumns, batchRows: batchRows) { columns in
                let rows = columns.first?.count ?? 0
                guard rows > 0 else { return }
                let created = query.hasCreated ? columns[keyCount + 1].timestampValuesOr(OnlineRecord.noCreated) : nil
                let batch = EncodedBatch(
                    view: view, keys: Array(columns[0..<keyCount]), event: columns[keyCount].timestampValues,
                    created: created, features: Array(columns[firstFeature...]), now: now)
                if let queue { try queue.submit(batch) } else { written += try writer.write(batch) }
                entities += rows
                progress(view.view.name, entities, Self.seconds(clock.now - began))
            }
        } catch {
            _ = try? queue?.finish()
            throw error
        }
        if let queue { written += try queue.finish() }
        return ViewReport(
            view: view.view.name, start: start, end: end, entities: entities, written: written,
            seconds: Self.seconds(clock.now - began))
    }

    static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}

/// The wall clock in microseconds since the Unix epoch.
enum OnlineClock {
    static func nowMicros() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1e6).rounded())
    }
}

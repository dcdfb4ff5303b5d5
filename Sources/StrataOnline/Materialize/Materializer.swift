import Foundation
import StrataColumnar
import StrataCore
import StrataPostgres
import StrataRedis
import StrataRegistry

/// Materialisation (DESIGN.md "Materialisation"): per online view, the latest row per entity in a window,
/// computed in PostgreSQL, streamed by binary COPY in batches and written to Redis in pipelined batches
/// with the newer-wins rule.
///
/// A window never ends after the time of the run, so a watermark never passes it. Redis witnesses what
/// it holds (`OnlineMarkers`): a view whose watermark Redis holds no marker for is re-materialised from
/// the beginning by an incremental run. A run ends in this order: every write done and Redis's `run_id`
/// unchanged; the markers set, only if Redis kept the run's fields (nothing was flushed); then the
/// watermarks advance, in one transaction. A failure anywhere leaves the watermarks where they were, and
/// whatever step fails, a marker matches the registry only when Redis holds everything up to the
/// watermark (docs/online-layout.md, "Markers").
///
/// On a Redis Cluster the same run holds: writes go to the masters that serve their buckets, the newer-wins
/// functions are loaded on every master, a restart or failover of any master counts as a restart, and each
/// slot that holds values carries its own copy of the markers (`OnlineMarkers`).
///
/// Not thread-safe: it uses the registry's PostgreSQL connection and one Redis client.
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
        /// What Redis's marker showed when it did not witness the view's watermark (Redis lost values):
        /// the view was then re-materialised from the beginning, or, for a window with a start, left
        /// for the next incremental run to re-materialise. Nil when Redis held what the registry records.
        public var redisLoss: OnlineMarkers.Finding?
        /// Whether Redis's marker now witnesses the view's watermark; false only when `redisLoss` is set
        /// and the window has a start, so values before it are still missing.
        public var witnessed: Bool
    }

    /// A view the run left alone, and why.
    public struct SkippedView: Sendable, Hashable {
        /// The view.
        public var view: String
        /// Why it was not materialised.
        public var reason: String
    }

    /// What a run did.
    public struct Report: Sendable {
        /// The views materialised.
        public var views: [ViewReport]
        /// The views left alone, each with its reason.
        public var skipped: [SkippedView]
        /// The end asked for (µs).
        public var requestedEnd: Int64
        /// The end used: the one asked for, or the time of the run when that was earlier.
        public var end: Int64
        /// Views whose keys, left stale by an `apply`, were deleted before the run wrote anything.
        public var cleaned: [OnlineCleanup.Cleaned]

        /// Whether the end asked for was after the time of the run.
        public var isClamped: Bool { end < requestedEnd }
    }

    /// Called after each batch with the view, the entities written so far and the seconds elapsed.
    public typealias Progress = (_ view: String, _ entities: Int, _ seconds: Double) -> Void

    /// The registry, whose connection also reads the source tables.
    public let registry: Registry
    /// The online store: one server or a cluster.
    public let redis: any RedisClient
    /// Rows per COPY batch, and so per pipelined round trip to Redis.
    public var batchRows = 16_384
    /// Whether a writer thread sends each batch to Redis while the next one is read from PostgreSQL.
    public var overlapsWrites = true
    /// Hears why a run waits, before it starts, for another run that holds one of its views.
    public var waiting: (String) -> Void = { _ in }

    /// A materialiser over `registry`'s database and `redis`.
    public init(registry: Registry, redis: any RedisClient) {
        self.registry = registry
        self.redis = redis
    }

    /// Materialises `[start, end]` (inclusive; nil start: the beginning of time; an end after the time of
    /// the run is clamped to it) of the named online views (all online views when nil), then moves their
    /// watermarks forward to the end.
    /// - Throws: `OnlineError` for an unknown or offline-only view, a window that ends before it starts,
    ///   or Redis restarting or losing data during the run; `RedisError`/`PostgresError` when a service fails.
    @discardableResult
    public func materialize(
        project: String, views names: [String]? = nil, start: Int64?, end: Int64, progress: Progress = { _, _, _ in }
    ) throws -> Report {
        if let start, start > end {
            throw OnlineError(
                .badInput,
                "the window starts at \(UTCTimestamp.format(start)), after its end \(UTCTimestamp.format(end)); expected --start <= --end")
        }
        return try lockingViews(project: project, names: names) { views in
            try run(project: project, views: views, window: .fixed(start: start), requestedEnd: end, progress: progress)
        }
    }

    /// Materialises each online view (or the named ones) from its watermark (inclusive) to `end` (clamped
    /// to the time of the run), then moves the watermarks to that end. A view materialises from the
    /// beginning on its first run, and when Redis holds no marker matching its watermark; a view whose
    /// watermark is already past the end is skipped, and reported.
    @discardableResult
    public func materializeIncremental(
        project: String, views names: [String]? = nil, end: Int64, progress: Progress = { _, _, _ in }
    ) throws -> Report {
        return try lockingViews(project: project, names: names) { views in
            try run(project: project, views: views, window: .fromWatermark, requestedEnd: end, progress: progress)
        }
    }

    /// Runs `body` on the online views (or the named ones) holding their locks (`Registry.lockViews`), so
    /// that two runs of a view, or a run and an apply that resets it, take turns. The views are read again
    /// once their locks are held, since an apply may have changed them while this run waited; a view that
    /// appeared meanwhile has every lock taken again in order, which keeps waits free of cycles.
    func lockingViews(project: String, names: [String]?, _ body: ([OnlineView]) throws -> Report) throws -> Report {
        var held: [String] = []
        defer { registry.unlockViews(project: project, views: held) }
        var wanted = try onlineViews(project: project, names: names).map(\.view.name)
        while true {
            let missing = Set(wanted).subtracting(held)
            if !held.isEmpty && !missing.isEmpty {
                registry.unlockViews(project: project, views: held)
                held = []
            }
            if held.isEmpty {
                try registry.lockViews(project: project, views: wanted, waiting: waiting)
                held = Array(Set(wanted)).sorted()
            }
            let views = try onlineViews(project: project, names: names)
            wanted = views.map(\.view.name)
            if Set(wanted).isSubset(of: held) { return try body(views) }
        }
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

    /// Where each view's window starts.
    enum Window {
        /// The same start for every view (nil: the beginning of time).
        case fixed(start: Int64?)
        /// Each view's watermark; the beginning of time for a view that never ran or that Redis lost.
        case fromWatermark
    }

    /// One view's part of a run.
    struct Step {
        var view: OnlineView
        var start: Int64?
        var redisLoss: OnlineMarkers.Finding?
        /// Whether the run's marker for the view witnesses its new watermark.
        var witnessed: Bool
        /// Whether the watermark is set to the run's end even if that moves it back.
        var resets: Bool
        /// The watermark the registry will hold for the view after the run.
        var watermark: Int64
    }

    func run(project: String, views: [OnlineView], window: Window, requestedEnd: Int64, progress: Progress) throws -> Report {
        let end = min(requestedEnd, OnlineClock.nowMicros())
        let cleaned = try OnlineCleanup.complete(project: project, registry: registry, holding: Set(views.map(\.view.name)), redis: redis)
        let serverBefore = try OnlineFunctions.runID(redis)
        try OnlineFunctions.load(redis)
        let token = OnlineMarkers.newToken()
        let marks = try registry.watermarkStates(project: project)
        let markers = try OnlineMarkers.begin(project: project, views: views.map(\.view.name), token: token, redis: redis)
        var steps: [Step] = []
        var skipped: [SkippedView] = []
        for view in views {
            let name = view.view.name
            let mark = marks[name]
            let finding = mark.map { OnlineMarkers.Finding(view: name, watermark: $0, marker: markers[name]) }
            let loss = finding?.isWitnessed == false ? finding : nil
            let start: Int64?
            switch window {
            case .fixed(let fixed): start = fixed
            case .fromWatermark: start = loss == nil ? mark?.micros : nil
            }
            if let start, start > end {
                skipped.append(SkippedView(view: name, reason: skipReason(window: window, start: start, end: end, requestedEnd: requestedEnd)))
                continue
            }
            let resets = loss != nil && start == nil
            let watermark = resets ? end : max(mark?.micros ?? end, end)
            steps.append(
                Step(view: view, start: start, redisLoss: loss, witnessed: mark == nil || loss == nil || start == nil,
                     resets: resets, watermark: watermark))
        }
        let reports: [ViewReport]
        do {
            reports = try write(steps, end: end, redis: redis, progress: progress)
            let serverAfter = try OnlineFunctions.runID(redis)
            guard serverAfter == serverBefore else { throw restarted(nil) }
        } catch let error as RedisError {
            do {
                if try OnlineFunctions.runID(redis) != serverBefore { throw restarted(error) }
            } catch is RedisError {
                throw gone(error)
            }
            throw error
        }
        let newMarkers = steps.map { step in
            (view: step.view.view.name, marker: step.witnessed ? OnlineMarkers.value(Watermark(micros: step.watermark, runToken: token)) : nil)
        } + skipped.map { (view: $0.view, marker: String?.none) }
        guard try OnlineMarkers.finish(project: project, token: token, markers: newMarkers, redis: redis) else {
            throw OnlineError(
                .redisLostData,
                "Redis at \(redis.redactedURL) lost this run's marker fields during materialisation (FLUSHALL or FLUSHDB\(redis.isCluster ? " on a master, a master restarted empty" : ""), or another materialisation of the same views started meanwhile), so values written before may be gone; the watermarks were not advanced: run the materialisation again")
        }
        try registry.recordRun(
            project: project, runToken: token,
            updates: steps.map { Watermark.Update(view: $0.view.view.name, micros: end, resets: $0.resets) })
        return Report(views: reports, skipped: skipped, requestedEnd: requestedEnd, end: end, cleaned: cleaned)
    }

    /// Writes every step's window; the client's type is fixed here, so the writer's calls are direct.
    func write<Redis: RedisClient>(_ steps: [Step], end: Int64, redis: Redis, progress: Progress) throws -> [ViewReport] {
        let writer = OnlineWriter(redis: redis)
        return try steps.map { step in
            var report = try materialize(step.view, start: step.start, end: end, writer: writer, progress: progress)
            report.redisLoss = step.redisLoss
            report.witnessed = step.witnessed
            return report
        }
    }

    func skipReason(window: Window, start: Int64, end: Int64, requestedEnd: Int64) -> String {
        let limit = end < requestedEnd ? "the time of this run, \(UTCTimestamp.format(end))" : "--end \(UTCTimestamp.format(end))"
        switch window {
        case .fixed: return "the window starts at \(UTCTimestamp.format(start)), after \(limit)"
        case .fromWatermark: return "its watermark \(UTCTimestamp.format(start)) is already after \(limit); nothing to do"
        }
    }

    func restarted(_ error: RedisError?) -> OnlineError {
        OnlineError(
            .redisRestarted,
            "Redis at \(redis.redactedURL) was restarted\(redis.isCluster ? " (or one of its masters failed over)" : "") during materialisation, so values written before the restart may be lost; the watermarks were not advanced: run the materialisation again",
            underlying: error?.description)
    }

    /// The connection broke under the run and Redis does not answer again (it is restarting, or down), so
    /// whether it kept the run's writes is unknown.
    func gone(_ error: RedisError) -> OnlineError {
        OnlineError(
            .redisRestarted,
            "lost the connection to Redis at \(redis.redactedURL) during materialisation and it does not answer again (restarting or down), so values written before may be lost; the watermarks were not advanced: run the materialisation again once Redis is back",
            underlying: error.description)
    }

    func materialize<Redis: RedisClient>(
        _ view: OnlineView, start: Int64?, end: Int64, writer: OnlineWriter<Redis>, progress: Progress
    ) throws -> ViewReport {
        if view.view.isAggregation {
            return try materializeTiles(view, start: start, end: end, writer: writer, progress: progress)
        }
        let query = try MaterializationQuery(view: view, start: start, end: end)
        let clock = ContinuousClock()
        let began = clock.now
        var entities = 0
        var written = 0
        let keyCount = view.entities.count
        let firstFeature = keyCount + (query.hasCreated ? 2 : 1)
        let now = OnlineClock.nowMicros()
        let queue = overlapsWrites ? WriteQueue(write: writer.write) : nil
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
            seconds: Self.seconds(clock.now - began), redisLoss: nil, witnessed: true)
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

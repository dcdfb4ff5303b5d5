import CoreMetrics
import NIOConcurrencyHelpers
import class Prometheus.PrometheusCollectorRegistry
import struct Prometheus.PrometheusMetricsFactory

/// The server's metrics, in swift-metrics types backed by one Prometheus registry that `/metrics`
/// renders. The registry is the server's own (not the process-wide `MetricsSystem`), so that several
/// servers in one process (as in the tests) keep separate counts.
final class ServerMetrics: Sendable {
    /// The routes requests are counted by; any other path counts as `other`, so that clients cannot
    /// create label values.
    static let routes = [
        "/get-online-features", "/push", "/write-to-online-store", "/predict", "/health", "/metrics",
    ]

    let registry = PrometheusCollectorRegistry()
    private let factory: PrometheusMetricsFactory
    private let latency: [String: Timer]
    /// Request counters by route index × 1000 + status, made on first use.
    private let requests = NIOLockedValueBox([Int: Counter]())
    private let predictions = NIOLockedValueBox([String: Counter]())
    private let redisErrors: Counter
    private let redisReconnects: Counter
    private let pipelineSize: Recorder
    private let logQueueDepth: Gauge
    private let logDropped: Counter
    private let logWritten: Counter
    private let registryReloads: Counter
    private let registryVersion: Gauge

    init() {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2.5),
            .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
            .milliseconds(250), .milliseconds(1000),
        ]
        factory.valueHistogramBuckets["strata_redis_lookups_per_write"] = [1, 2, 4, 8, 16, 32, 64, 128]
        self.factory = factory
        latency = Dictionary(uniqueKeysWithValues: (Self.routes + ["other"]).map { route in
            (route, Timer(label: "strata_http_request_duration_seconds", dimensions: [("route", route)], factory: factory))
        })
        redisErrors = Counter(label: "strata_redis_errors_total", factory: factory)
        redisReconnects = Counter(label: "strata_redis_reconnects_total", factory: factory)
        pipelineSize = Recorder(label: "strata_redis_lookups_per_write", aggregate: true, factory: factory)
        logQueueDepth = Gauge(label: "strata_served_log_queue_rows", factory: factory)
        logDropped = Counter(label: "strata_served_log_dropped_rows_total", factory: factory)
        logWritten = Counter(label: "strata_served_log_written_rows_total", factory: factory)
        registryReloads = Counter(label: "strata_registry_reloads_total", factory: factory)
        registryVersion = Gauge(label: "strata_registry_version", factory: factory)
    }

    /// The route label of a request path.
    static func route(of path: String) -> String {
        routes.contains(path) ? path : "other"
    }

    /// Counts a request and records its duration.
    func requestFinished(route: String, status: Int, nanoseconds: Int64) {
        latency[route]?.recordNanoseconds(nanoseconds)
        let key = (Self.routes.firstIndex(of: route) ?? Self.routes.count) * 1000 + min(max(status, 0), 999)
        let counter = requests.withLockedValue { counters in
            if let counter = counters[key] { return counter }
            let counter = Counter(
                label: "strata_http_requests_total", dimensions: [("route", route), ("status", String(status))],
                factory: factory)
            counters[key] = counter
            return counter
        }
        counter.increment()
    }

    /// Counts `count` predictions of `model` version `version`.
    func predicted(model: String, version: Int, count: Int) {
        let key = "\(model) \(version)"
        let counter = predictions.withLockedValue { counters in
            if let counter = counters[key] { return counter }
            let counter = Counter(
                label: "strata_predictions_total", dimensions: [("model", model), ("version", String(version))],
                factory: factory)
            counters[key] = counter
            return counter
        }
        counter.increment(by: count)
    }

    /// Counts a failed Redis call.
    func redisFailed() { redisErrors.increment() }

    /// Counts reconnections to Redis.
    func redisReconnected(_ count: Int) {
        if count > 0 { redisReconnects.increment(by: count) }
    }

    /// Records how many requests' lookups shared one pipelined write.
    func pipelineWritten(lookups: Int) { pipelineSize.record(lookups) }

    /// Records the served-feature log's queue depth, in rows.
    func logQueued(rows: Int) { logQueueDepth.record(rows) }

    /// Counts served-feature rows dropped because the queue was full or PostgreSQL failed.
    func logDropped(rows: Int) {
        if rows > 0 { logDropped.increment(by: rows) }
    }

    /// Counts served-feature rows written to PostgreSQL.
    func logWritten(rows: Int) {
        if rows > 0 { logWritten.increment(by: rows) }
    }

    /// Counts a registry reload and records the registry version it loaded.
    func registryReloaded(version: Int64) {
        registryReloads.increment()
        registryVersion.record(version)
    }

    /// The Prometheus text exposition of every metric.
    func render() -> [UInt8] {
        registry.emitToBuffer()
    }
}

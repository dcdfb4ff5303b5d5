import NIOConcurrencyHelpers
import NIOCore
import ServiceLifecycle
import StrataRedis

/// The server's `EventLoopRedis` connections, one per event loop that handles requests, made on the
/// first request a loop handles. Runs as a service: on graceful shutdown, once the HTTP server has
/// finished its requests, it closes them.
final class EventLoopLookups: Service, Sendable {
    private let url: RedisURL
    private let timeout: TimeAmount
    private let maxPipeline: Int
    private let metrics: ServerMetrics
    private let connections = NIOLockedValueBox([ObjectIdentifier: EventLoopRedis]())

    init(url: RedisURL, timeout: TimeAmount, maxPipeline: Int, metrics: ServerMetrics) {
        self.url = url
        self.timeout = timeout
        self.maxPipeline = maxPipeline
        self.metrics = metrics
    }

    /// The connection of `eventLoop` (taken once per HTTP connection, not per request).
    func redis(on eventLoop: any EventLoop) -> EventLoopRedis {
        connections.withLockedValue { connections in
            let key = ObjectIdentifier(eventLoop)
            if let redis = connections[key] { return redis }
            let redis = EventLoopRedis(eventLoop: eventLoop, url: url, timeout: timeout, maxPipeline: maxPipeline, metrics: metrics)
            connections[key] = redis
            return redis
        }
    }

    /// Waits for graceful shutdown, then closes every connection on its own loop.
    func run() async throws {
        try? await gracefulShutdown()
        let all = connections.withLockedValue { Array($0.values) }
        for redis in all {
            try? await redis.eventLoop.submit { redis.stop() }.get()
        }
    }
}

import Hummingbird
import Logging
import NIOConcurrencyHelpers
import ServiceLifecycle
import StrataPostgres
import NIOCore
import StrataRegistry

/// `strata serve`: Feast's HTTP feature server API over the online store, with predictions by the
/// registered models, Prometheus metrics, a served-feature log and registry reloads by LISTEN/NOTIFY.
///
/// `init` connects to PostgreSQL and reads the registry (blocking; it fails fast, with the module's
/// error, when the registry is unreachable or the project unknown); `run` serves until SIGTERM or
/// SIGINT, then stops accepting, finishes the requests in flight, flushes the log and returns.
public final class FeatureServer: Sendable {
    /// How the server runs.
    public let configuration: ServerConfiguration
    /// The project served.
    public let project: String
    let routes: ServerRoutes
    let logWriter: ServedFeatureLogWriter
    /// The event loops' own Redis connections for lookups, on a single Redis (nil on a cluster, whose
    /// lookups go through the workers).
    let eventLoopLookups: EventLoopLookups?
    let logger: Logger
    private let lifecycle = NIOLockedValueBox(Lifecycle.idle)

    /// Whether `run` started, or `stop` came first.
    private enum Lifecycle {
        case idle
        case running(ServiceGroup)
        case stopped
    }

    /// Reads the registry and starts the worker threads; serves nothing until `run`.
    /// - Throws: `PostgresError` when PostgreSQL is unreachable, `RegistryError` when the project is
    ///   not registered (or several are and none was chosen).
    public init(configuration: ServerConfiguration, logger: Logger = Logger(label: "strata.serve")) throws {
        self.configuration = configuration
        self.logger = logger
        let registry = try Registry(connection: try PostgresConnection(url: configuration.postgresURL))
        let project = try registry.resolveProject(configuration.project)
        self.project = project
        let metrics = ServerMetrics()
        let models = ModelCache()
        let snapshots = SnapshotBox(try RegistrySnapshot.load(project: project, registry: registry, models: models))
        let log = ServedFeatureLog(
            sampleRate: min(max(configuration.logSample, 0), 1), capacity: configuration.logQueueRows, metrics: metrics)
        let workers = ServerWorkers(
            threads: configuration.redisConnections, maxPipeline: configuration.maxPipeline,
            redisURL: configuration.redisURL, postgresURL: configuration.postgresURL, project: project, metrics: metrics)
        let listener = RegistryListener(
            postgresURL: configuration.postgresURL, project: project, snapshots: snapshots, models: models,
            metrics: metrics, logger: logger)
        routes = ServerRoutes(
            configuration: configuration, snapshots: snapshots, models: models, workers: workers, log: log,
            metrics: metrics, listener: listener)
        if case .server(let url) = configuration.redisURL {
            eventLoopLookups = EventLoopLookups(
                url: url, timeout: .seconds(2), maxPipeline: configuration.maxPipeline, metrics: metrics)
        } else {
            eventLoopLookups = nil
        }
        logWriter = ServedFeatureLogWriter(
            log: log, postgresURL: configuration.postgresURL, project: project, metrics: metrics, logger: logger)
    }

    /// The Hummingbird application: the routes, and the services that run beside the HTTP server (the
    /// log writer, the workers and the registry listener, shut down after it, in that reverse order).
    public func application() -> some ApplicationProtocol {
        let token = configuration.token.map(BearerToken.init)
        let router = Router()
        router.add(middleware: ServerMiddleware(metrics: routes.metrics, token: token))
        let routes = self.routes
        router.post("/get-online-features") { request, _ in try await routes.onlineFeatures(request) }
        router.post("/push") { request, _ in try await routes.push(request) }
        router.post("/write-to-online-store") { request, _ in try await routes.writeToOnlineStore(request) }
        router.post("/predict") { request, _ in try await routes.predict(request) }
        router.get("/health") { request, _ in try await routes.health(request) }
        router.get("/metrics") { request, _ in try await routes.metricsText(request) }
        var services: [any Service] = [logWriter, routes.workers]
        if let eventLoopLookups { services.append(eventLoopLookups) }
        services.append(routes.listener)
        let lookups = eventLoopLookups
        let logger = self.logger
        // Made anew for each connection: a handler belongs to one channel.
        let handlers: @Sendable () -> [any RemovableChannelHandler] = {
            lookups.map { [FastLookupHandler(routes: routes, lookups: $0, token: token, logger: logger)] } ?? []
        }
        return Application(
            router: router,
            server: .http1(configuration: .init(additionalChannelHandlers: handlers())),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
            services: services,
            logger: logger)
    }

    /// Serves until `stop()` (or, when `handlingSignals`, SIGTERM or SIGINT), then shuts down gracefully:
    /// stops accepting, finishes the requests in flight, then stops the registry listener and the
    /// workers and flushes the served-feature log. Returns at once when `stop()` came first.
    /// - Parameter handlingSignals: false when the caller owns the process's signals and calls `stop()`.
    public func run(handlingSignals: Bool = true) async throws {
        let group = ServiceGroup(
            configuration: .init(
                services: [application()], gracefulShutdownSignals: handlingSignals ? [.sigterm, .sigint] : [],
                logger: logger))
        let start = lifecycle.withLockedValue { state in
            guard case .idle = state else { return false }
            state = .running(group)
            return true
        }
        guard start else { return }
        try await group.run()
    }

    /// Shuts a running server down gracefully (as SIGTERM does); before `run`, makes `run` return at once.
    public func stop() {
        let running = lifecycle.withLockedValue { state -> ServiceGroup? in
            if case .running(let group) = state { return group }
            state = .stopped
            return nil
        }
        if let running { Task { await running.triggerGracefulShutdown() } }
    }

    /// Stops the worker threads of a server whose application never ran (as in router tests).
    public func stopWorkers() {
        routes.workers.stop()
    }
}

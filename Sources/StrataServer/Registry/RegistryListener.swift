import Foundation
import Logging
import NIOConcurrencyHelpers
import ServiceLifecycle
import StrataPostgres
import StrataRegistry

/// Keeps the served registry current: a thread of its own listens on `Registry.changeChannel` with a
/// dedicated PostgreSQL connection and, when the served project changes, loads a new snapshot and
/// swaps it in. When the connection breaks it reconnects every second, and reloads once reconnected,
/// since notifications sent meanwhile are lost.
final class RegistryListener: Service, @unchecked Sendable {
    private let postgresURL: String
    private let project: String
    private let snapshots: SnapshotBox
    private let models: ModelCache
    private let metrics: ServerMetrics
    private let logger: Logger
    private let stopped = NIOLockedValueBox(false)
    private let connected = NIOLockedValueBox(false)

    init(
        postgresURL: String, project: String, snapshots: SnapshotBox, models: ModelCache, metrics: ServerMetrics,
        logger: Logger
    ) {
        self.postgresURL = postgresURL
        self.project = project
        self.snapshots = snapshots
        self.models = models
        self.metrics = metrics
        self.logger = logger
    }

    /// Whether the listening connection to PostgreSQL is up.
    var postgresReachable: Bool { connected.withLockedValue { $0 } }

    /// Listens until graceful shutdown (or cancellation).
    func run() async throws {
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let thread = Thread { [self] in
                        listen()
                        continuation.resume()
                    }
                    thread.name = "strata-registry-listener"
                    thread.start()
                }
            } onGracefulShutdown: {
                self.stop()
            }
        } onCancel: {
            self.stop()
        }
    }

    private func stop() {
        stopped.withLockedValue { $0 = true }
    }

    private var isStopped: Bool { stopped.withLockedValue { $0 } }

    private func listen() {
        var connection: PostgresConnection?
        var registry: Registry?
        while !isStopped {
            do {
                if connection == nil {
                    let fresh = try PostgresConnection(url: postgresURL, connectTimeoutSeconds: 2)
                    try fresh.listen(Registry.changeChannel)
                    registry = try Registry(connection: fresh)
                    connection = fresh
                    connected.withLockedValue { $0 = true }
                    try reload(registry)
                }
                guard let active = connection else { continue }
                let notifications = try active.notifications(waitingUpTo: .milliseconds(200))
                if notifications.contains(where: { $0.channel == Registry.changeChannel && $0.payload == project }) {
                    try reload(registry)
                }
            } catch {
                if connection != nil { logger.warning("registry listener: \(error); reconnecting") }
                connection = nil
                registry = nil
                connected.withLockedValue { $0 = false }
                for _ in 0..<10 where !isStopped { Thread.sleep(forTimeInterval: 0.1) }
            }
        }
    }

    private func reload(_ registry: Registry?) throws {
        guard let registry else { return }
        let snapshot = try RegistrySnapshot.load(project: project, registry: registry, models: models)
        snapshots.replace(with: snapshot)
        metrics.registryReloaded(version: snapshot.version)
        logger.info("registry reloaded: project \(project), apply \(snapshot.version)")
    }
}

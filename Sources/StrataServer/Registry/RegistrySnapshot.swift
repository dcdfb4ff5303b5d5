import NIOConcurrencyHelpers
import StrataCore
import StrataOnline
import StrataRegistry
import StrataTraining

/// The registered state requests are served from, read in one go and never changed afterwards: a
/// reload builds a new snapshot and swaps it in whole (`SnapshotBox`), so a request sees either the
/// old registry or the new one, never a mix, and no request waits for a reload.
final class RegistrySnapshot: Sendable {
    /// The project served.
    let project: String
    /// Its entities, sources, views and services.
    let repository: Repository
    /// The number of its latest apply.
    let version: Int64
    /// Per model name, the version each stage (`production`, `staging`) points at.
    let stages: [String: [String: Int]]
    /// Prepared lookups by the features they name, made on first use. Bounded, so that clients
    /// naming ever new feature lists cannot grow it without limit.
    private let queries = NIOLockedValueBox([String: OnlineQuery]())
    private static let maxQueries = 1024

    init(project: String, repository: Repository, version: Int64, stages: [String: [String: Int]]) {
        self.project = project
        self.repository = repository
        self.version = version
        self.stages = stages
    }

    /// Reads the registered state of `project` and loads the models its stages point at into `models`.
    /// Blocking: call it on a thread that may block.
    static func load(project: String, registry: Registry, models: ModelCache) throws -> RegistrySnapshot {
        let repository = try registry.repository(project: project)
        let version = try registry.latestApply(project: project)
        var stages: [String: [String: Int]] = [:]
        for model in try ModelStore(registry: registry).list(project: project)
        where model.stage == "production" || model.stage == "staging" {
            stages[model.name, default: [:]][model.stage] = model.version
            do {
                try models.load(name: model.name, version: model.version, project: project, registry: registry)
            } catch is TrainingError {
                // An unreadable artifact fails its own /predict requests (loaded again on demand), not the reload.
            }
        }
        return RegistrySnapshot(project: project, repository: repository, version: version, stages: stages)
    }

    /// The prepared lookup of the features `request` names.
    /// - Throws: `OnlineError` for an unknown service, view or feature, or a view that is not online.
    func query(_ features: RequestedFeatures) throws -> OnlineQuery {
        let key: String
        switch features {
        case .service(let name): key = "s\u{0}" + name
        case .references(let references): key = "f\u{0}" + references.map(\.description).joined(separator: "\u{0}")
        }
        if let cached = queries.withLockedValue({ $0[key] }) { return cached }
        let query: OnlineQuery = switch features {
        case .service(let name): try OnlineQuery(service: name, in: repository)
        case .references(let references): try OnlineQuery(references, in: repository)
        }
        queries.withLockedValue { cache in
            if cache.count >= Self.maxQueries { cache.removeAll(keepingCapacity: true) }
            cache[key] = query
        }
        return query
    }
}

import NIOConcurrencyHelpers
import StrataCore
import StrataOffline
import StrataOnline
import StrataPostgres
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
    /// Whether each model version judged so far can be fed by this registry state (`ModelCompatibility`),
    /// by `ModelCache.key`. A reload makes a new snapshot, so every verdict is made again against the
    /// state it serves.
    private let verdicts = NIOLockedValueBox([String: Verdict]())

    /// Whether a model version can be fed by a registry state.
    enum Verdict: Sendable {
        /// Every feature it reads is registered with the type it had when its training set was built.
        case matches
        /// Some were retyped or removed since: the refusal names them.
        case refused(OfflineError)
    }

    init(project: String, repository: Repository, version: Int64, stages: [String: [String: Int]]) {
        self.project = project
        self.repository = repository
        self.version = version
        self.stages = stages
    }

    /// Reads the registered state of `project`, invalidates `models` (it then holds the versions the
    /// stages point at, `ModelCache.refresh`), and judges each against that state, so that no request
    /// after a reload is scored by a model whose features changed under it. Blocking: call it on a
    /// thread that may block.
    /// - Throws: `PostgresError` when the registry cannot be read.
    static func load(project: String, registry: Registry, models: ModelCache) throws -> RegistrySnapshot {
        let repository = try registry.repository(project: project)
        let version = try registry.latestApply(project: project)
        let staged = try ModelStore(registry: registry).list(project: project)
            .filter { $0.stage == "production" || $0.stage == "staging" }
        var stages: [String: [String: Int]] = [:]
        for model in staged { stages[model.name, default: [:]][model.stage] = model.version }
        try models.refresh(staged: staged, project: project, registry: registry)
        let snapshot = RegistrySnapshot(project: project, repository: repository, version: version, stages: stages)
        for model in models.all {
            do {
                try snapshot.judge(model, registry: registry)
            } catch let error as PostgresError {
                throw error
            } catch {
                // A model whose lineage cannot be read fails its own /predict requests, not the reload.
            }
        }
        return snapshot
    }

    /// The verdict on `model` made against this state, nil when not judged yet.
    func verdict(_ model: LoadedModel) -> Verdict? {
        verdicts.withLockedValue { $0[ModelCache.key(model.name, model.version)] }
    }

    /// Checks `model`'s features against this state and records the verdict (blocking: it reads the
    /// model's lineage from the registry).
    /// - Throws: `PostgresError` and the registry's errors when the lineage cannot be read (no verdict is
    ///   recorded then).
    @discardableResult
    func judge(_ model: LoadedModel, registry: Registry) throws -> Verdict {
        let verdict: Verdict
        do {
            try ModelCompatibility.check(model.registration, registry: registry, current: repository)
            verdict = .matches
        } catch let error as OfflineError where error.code == .incompatibleModel {
            verdict = .refused(error)
        }
        verdicts.withLockedValue { $0[ModelCache.key(model.name, model.version)] = verdict }
        return verdict
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

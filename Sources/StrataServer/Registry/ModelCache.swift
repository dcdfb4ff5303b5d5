import Foundation
import NIOConcurrencyHelpers
import StrataCore
import StrataRegistry
import StrataTraining

/// Model versions already read from the registry. Each registry reload (`refresh`) invalidates it: it
/// keeps only the versions a stage points at, and only when they are the very registrations it read (a
/// registry recreated under the server may number new artifacts as old ones), so what is cached never
/// outlives the registry state it came from and cannot grow without limit. Whether a version's features
/// still match the registry is judged anew by each `RegistrySnapshot`.
final class ModelCache: Sendable {
    private let models = NIOLockedValueBox([String: LoadedModel]())

    /// The cached version `version` of `name`, if loaded.
    func model(name: String, version: Int) -> LoadedModel? {
        models.withLockedValue { $0[Self.key(name, version)] }
    }

    /// Every cached version.
    var all: [LoadedModel] {
        models.withLockedValue { Array($0.values) }
    }

    /// Reads version `version` of `name` of `project` from the registry and caches it (blocking).
    /// - Throws: `RegistryError.notFound` for an unknown version, `TrainingError` for an unreadable
    ///   artifact or a feature that is not a reference.
    @discardableResult
    func load(name: String, version: Int, project: String, registry: Registry) throws -> LoadedModel {
        if let cached = model(name: name, version: version) { return cached }
        let loaded = try read(name: name, version: version, project: project, registry: registry)
        models.withLockedValue { $0[Self.key(name, version)] = loaded }
        return loaded
    }

    /// Reads version `version` of `name` from the registry, without caching it.
    private func read(name: String, version: Int, project: String, registry: Registry) throws -> LoadedModel {
        let registered = try ModelStore(registry: registry).load(name: name, version: version, project: project)
        let references = try registered.features.map { text in
            guard let reference = FeatureReference(parsing: text) else {
                throw TrainingError(
                    .invalidArtifact, "model \(name) v\(version) names '\(text)', which is not a feature reference (view:feature)")
            }
            return reference
        }
        var registration = registered
        registration.artifact = Data()
        return LoadedModel(
            name: name, version: registered.version, registration: registration, references: references,
            model: try Model(artifact: registered.artifact))
    }

    /// Invalidates the cache after a registry change: afterwards it holds exactly the versions in `staged`
    /// (from `ModelStore.list`), each kept from before when it is the same registration (same creation
    /// time), else read again. A version whose artifact cannot be read is left out: its own /predict
    /// requests fail, not the reload. Blocking.
    /// - Throws: `PostgresError` when the registry cannot be read.
    func refresh(staged: [ModelStore.Version], project: String, registry: Registry) throws {
        let previous = models.withLockedValue { $0 }
        var fresh: [String: LoadedModel] = [:]
        for version in staged {
            let key = Self.key(version.name, version.version)
            if let kept = previous[key], kept.registration.createdAt == version.createdAt {
                fresh[key] = kept
                continue
            }
            do {
                fresh[key] = try read(name: version.name, version: version.version, project: project, registry: registry)
            } catch is TrainingError {
                continue
            }
        }
        models.withLockedValue { $0 = fresh }
    }

    /// The cache key of version `version` of `name` (also the key of `RegistrySnapshot`'s verdicts).
    static func key(_ name: String, _ version: Int) -> String { "\(name)\u{0}\(version)" }
}

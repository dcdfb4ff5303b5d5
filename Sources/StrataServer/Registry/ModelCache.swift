import NIOConcurrencyHelpers
import StrataCore
import StrataRegistry
import StrataTraining

/// Model versions already read from the registry. A version's artifact never changes once registered,
/// so entries stay valid across registry reloads; only which version a stage points at changes.
final class ModelCache: Sendable {
    private let models = NIOLockedValueBox([String: LoadedModel]())

    /// The cached version `version` of `name`, if loaded.
    func model(name: String, version: Int) -> LoadedModel? {
        models.withLockedValue { $0[Self.key(name, version)] }
    }

    /// Whether version `version` of `name` is cached.
    func contains(name: String, version: Int) -> Bool {
        model(name: name, version: version) != nil
    }

    /// Reads version `version` of `name` of `project` from the registry and caches it (blocking).
    /// - Throws: `RegistryError.notFound` for an unknown version, `TrainingError` for an unreadable
    ///   artifact or a feature that is not a reference.
    @discardableResult
    func load(name: String, version: Int, project: String, registry: Registry) throws -> LoadedModel {
        if let cached = model(name: name, version: version) { return cached }
        let registered = try ModelStore(registry: registry).load(name: name, version: version, project: project)
        let references = try registered.features.map { text in
            guard let reference = FeatureReference(parsing: text) else {
                throw TrainingError(
                    .invalidArtifact, "model \(name) v\(version) names '\(text)', which is not a feature reference (view:feature)")
            }
            return reference
        }
        let loaded = LoadedModel(
            name: name, version: registered.version, references: references, model: try Model(artifact: registered.artifact))
        models.withLockedValue { $0[Self.key(name, version)] = loaded }
        return loaded
    }

    private static func key(_ name: String, _ version: Int) -> String { "\(name)\u{0}\(version)" }
}

import StrataCore
import StrataRegistry

/// Whether a registered model can still be fed by the registry: each feature it reads must have the
/// type it had when the model was trained. A model fed values of another type (an `int64` count now
/// a `float64` rate, a feature removed) would score garbage without a word.
public enum ModelCompatibility {
    /// Checks `model`'s features against the registry: the type each one had in the view version its
    /// training set was built from (the set's lineage) against its type in `current`, the registered state
    /// to serve from (default: the registry's state now; a server passes the state it serves, so that its
    /// verdict and its lookups agree).
    /// - Throws: `OfflineError.incompatibleModel` naming every feature that was retyped or removed, or
    ///   whose training lineage cannot be found.
    public static func check(_ model: ModelStore.Version, registry: Registry, current: Repository? = nil) throws {
        let name = "model \(model.name) v\(model.version)"
        guard let lineage = try SavedTrainingSets(registry: registry).list(project: model.project)
            .first(where: { $0.name == model.trainingSet })?.lineage
        else {
            throw OfflineError(
                .incompatibleModel,
                "\(name) was trained on the saved training set \(model.trainingSet), which project \(model.project) no longer holds, so its features' types cannot be checked")
        }
        let current = try current ?? registry.repository(project: model.project)
        var trainedViews: [String: FeatureView] = [:]
        var problems: [String] = []
        for text in model.features {
            guard let reference = FeatureReference(parsing: text) else {
                problems.append("'\(text)' is not a feature reference")
                continue
            }
            guard let version = lineage.viewVersions[reference.view] else {
                problems.append("\(reference): the training set's lineage has no version of feature view \(reference.view)")
                continue
            }
            if trainedViews[reference.view] == nil {
                let history = try registry.history(project: model.project, kind: .featureView, name: reference.view)
                trainedViews[reference.view] = try history.first { $0.version == version && !$0.removed }?.decode(FeatureView.self)
            }
            guard let trained = trainedViews[reference.view]?.feature(named: reference.feature) else {
                problems.append("\(reference): feature view \(reference.view) v\(version) in the registry has no such feature")
                continue
            }
            guard let now = current.featureView(named: reference.view)?.feature(named: reference.feature) else {
                problems.append("\(reference) (\(trained.type.rawValue) when trained) is no longer registered")
                continue
            }
            if now.type != trained.type {
                problems.append("\(reference) was \(trained.type.rawValue) when the model was trained and is \(now.type.rawValue) now")
            }
        }
        guard problems.isEmpty else {
            throw OfflineError(
                .incompatibleModel,
                "\(name) no longer matches the registry:\n" + problems.map { "  \($0)" }.joined(separator: "\n")
                    + "\nTrain a new version on the current features.")
        }
    }
}

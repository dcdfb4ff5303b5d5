import StrataColumnar
import StrataCore
import StrataPostgres
import StrataRegistry

/// Builds training sets: resolves the features against the registry, loads the spine, and joins
/// each view point-in-time-correctly with the strategy that suits it.
public struct TrainingSetBuilder {
    /// The registry the features are resolved against; its connection reads the sources.
    public let registry: Registry
    /// How each view is joined; `.automatic` chooses per view by sizes and indexes.
    public var strategy: JoinStrategy
    /// How many connections read each view an extraction strategy joins; the result does not depend on it.
    public var parallelism: Parallelism

    public init(registry: Registry, strategy: JoinStrategy = .automatic, parallelism: Parallelism = .automatic) {
        self.registry = registry
        self.strategy = strategy
        self.parallelism = parallelism
    }

    /// The registered project named `name`, or the only one when `name` is nil.
    public func repository(project name: String?) throws -> Repository {
        try registry.repository(project: try registry.resolveProject(name))
    }

    /// The features of `request`, resolved.
    public func selection(for request: TrainingSetRequest, in repository: Repository) throws -> FeatureSelection {
        switch request.features {
        case .service(let name): try FeatureSelection.resolve(service: name, in: repository)
        case .references(let references): try FeatureSelection.resolve(references, in: repository)
        }
    }

    /// Builds the training set of `request`.
    public func build(_ request: TrainingSetRequest, progress: PointInTimeJoin.Progress = { _, _ in }) throws -> TrainingSet {
        let repository = try repository(project: request.project)
        let selection = try selection(for: request, in: repository)
        let spine = try SpineLoader.load(request.spine, keys: selection.joinKeys, connection: registry.connection)
        let join = PointInTimeJoin(connection: registry.connection, strategy: strategy, parallelism: parallelism)
        let (frame, strategies) = try join.joinReportingStrategies(spine: spine, selection: selection, progress: progress)
        let objects = try registry.currentObjects(project: repository.project)
        var versions: [String: Int] = [:]
        for group in selection.groups {
            versions[group.view.name] = objects.first { $0.kind == .featureView && $0.name == group.view.name }?.version
        }
        let service: String? = if case .service(let name) = request.features { name } else { nil }
        let lineage = TrainingSet.Lineage(
            project: repository.project, features: selection.references.map(\.description), service: service,
            viewVersions: versions, spine: request.spine.description, spineHash: SpineHash.of(spine),
            rowCount: frame.rowCount, strategies: strategies)
        return TrainingSet(frame: frame, lineage: lineage)
    }
}

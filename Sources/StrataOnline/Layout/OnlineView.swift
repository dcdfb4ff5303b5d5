import StrataColumnar
import StrataCore
import StrataOffline
import StrataPostgres

/// A feature view resolved for the online store: its source, entities, key prefix and schema tag.
public struct OnlineView: Sendable {
    /// The project the view belongs to.
    public let project: String
    /// The view.
    public let view: FeatureView
    /// The view's source.
    public let source: Source
    /// The view's entities, in the view's order.
    public let entities: [Entity]
    let keyPrefix: [UInt8]
    let tag: UInt16

    /// Resolves `name` in `repository`.
    /// - Throws: `OnlineError.unknownFeature` when the view, its source or an entity is not registered.
    public init(named name: String, in repository: Repository) throws {
        guard let view = repository.featureView(named: name) else {
            let known = repository.featureViews.map(\.name).sorted().joined(separator: ", ")
            throw OnlineError(
                .unknownFeature,
                "unknown feature view '\(name)' (registered views of project \(repository.project): \(known.isEmpty ? "none" : known))")
        }
        guard let source = repository.source(named: view.source) else {
            throw OnlineError(.unknownFeature, "feature view \(name) names source \(view.source), which is not registered")
        }
        let entities = try view.entities.map { entity in
            guard let found = repository.entity(named: entity) else {
                throw OnlineError(.unknownFeature, "feature view \(name) names entity \(entity), which is not registered")
            }
            return found
        }
        self.init(project: repository.project, view: view, source: source, entities: entities)
    }

    /// Wraps an already resolved view.
    public init(project: String, view: FeatureView, source: Source, entities: [Entity]) {
        self.project = project
        self.view = view
        self.source = source
        self.entities = entities
        keyPrefix = OnlineLayout.keyPrefix(project: project, view: view.name)
        tag = view.isAggregation
            ? TileRecord.tag(of: view, entities: entities) : OnlineLayout.schemaTag(of: view.features, entities: entities)
    }

    /// The view's join-key column names.
    public var joinKeys: [String] { entities.map(\.joinKey) }

    /// The column type of each join key.
    var keyColumnTypes: [ColumnType] { entities.map { $0.type == .int64 ? .int64 : .string } }

    /// The column type of each feature.
    var featureColumnTypes: [ColumnType] { view.features.map { ColumnType($0.type) } }

    /// Expiry deadline of a record in Unix milliseconds, or nil when the view's keys never expire.
    /// Expiry counts from the event time, so a rerun gives the same deadline.
    func deadline(event: Int64) -> Int64? {
        guard let seconds = view.onlineExpirySeconds, seconds > 0 else { return nil }
        return UTCTimestamp.adding(UTCTimestamp.micros(seconds: seconds), to: event) / 1000
    }
}

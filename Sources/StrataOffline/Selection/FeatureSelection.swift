import Foundation
import StrataCore

/// The features a training set or lookup asks for, resolved against the registry and grouped by view.
public struct FeatureSelection: Sendable, Hashable {
    /// The features of one view that were asked for.
    public struct ViewGroup: Sendable, Hashable {
        public var view: FeatureView
        public var source: Source
        /// The view's entities, in the view's order.
        public var entities: [Entity]
        /// The requested features of this view, in request order.
        public var features: [Feature]
        /// For each of `features`, its position among all requested references.
        public var outputPositions: [Int]

        /// The view's join-key column names.
        public var joinKeys: [String] { entities.map(\.joinKey) }
    }

    /// The references, in the order asked for.
    public var references: [FeatureReference]
    /// The views involved, in order of first appearance.
    public var groups: [ViewGroup]

    /// Every join key the selection needs (name and type), in order of first appearance.
    public var joinKeys: [(name: String, type: JoinKeyType)] {
        var seen = Set<String>()
        var keys: [(String, JoinKeyType)] = []
        for group in groups {
            for entity in group.entities where seen.insert(entity.joinKey).inserted {
                keys.append((entity.joinKey, entity.type))
            }
        }
        return keys
    }

    /// The output column names, `view__feature`, in request order.
    public var columnNames: [String] { references.map(\.columnName) }

    /// Resolves `references` against `repository`.
    /// - Throws: `OfflineError.unknownFeature` naming the view or feature and what exists.
    public static func resolve(_ references: [FeatureReference], in repository: Repository) throws -> FeatureSelection {
        guard !references.isEmpty else { throw OfflineError(.unknownFeature, "no features requested") }
        var seen = Set<FeatureReference>()
        var groups: [ViewGroup] = []
        var groupIndex: [String: Int] = [:]
        for (position, reference) in references.enumerated() {
            guard seen.insert(reference).inserted else {
                throw OfflineError(.unknownFeature, "feature \(reference) is requested twice")
            }
            guard let view = repository.featureView(named: reference.view) else {
                let known = repository.featureViews.map(\.name).sorted().joined(separator: ", ")
                throw OfflineError(
                    .unknownFeature,
                    "unknown feature view '\(reference.view)' in \(reference) (registered views of project \(repository.project): \(known.isEmpty ? "none" : known))")
            }
            guard let feature = view.feature(named: reference.feature) else {
                throw OfflineError(
                    .unknownFeature,
                    "feature view \(view.name) has no feature '\(reference.feature)' (its features: \(view.features.map(\.name).joined(separator: ", ")))")
            }
            if let index = groupIndex[view.name] {
                groups[index].features.append(feature)
                groups[index].outputPositions.append(position)
                continue
            }
            guard let source = repository.source(named: view.source) else {
                throw OfflineError(.notFound, "feature view \(view.name) names source \(view.source), which is not registered")
            }
            let entities = try view.entities.map { name in
                guard let entity = repository.entity(named: name) else {
                    throw OfflineError(.notFound, "feature view \(view.name) names entity \(name), which is not registered")
                }
                return entity
            }
            groupIndex[view.name] = groups.count
            groups.append(ViewGroup(view: view, source: source, entities: entities, features: [feature], outputPositions: [position]))
        }
        try checkJoinKeyTypes(groups)
        return FeatureSelection(references: references, groups: groups)
    }

    /// Rejects views that share a join key name with different types: a spine or entity row has one
    /// column per join key, which cannot be both an int64 and a string.
    /// - Throws: `OfflineError.unknownFeature` naming both views, their entities and the types.
    static func checkJoinKeyTypes(_ groups: [ViewGroup]) throws {
        var first: [String: (view: String, entity: Entity)] = [:]
        for group in groups {
            for entity in group.entities {
                guard let seen = first[entity.joinKey] else {
                    first[entity.joinKey] = (group.view.name, entity)
                    continue
                }
                guard seen.entity.type == entity.type else {
                    throw OfflineError(
                        .unknownFeature,
                        "feature views \(seen.view) and \(group.view.name) cannot be requested together: join key \(entity.joinKey) "
                            + "is \(seen.entity.type.rawValue) for entity \(seen.entity.name) of \(seen.view) but \(entity.type.rawValue) "
                            + "for entity \(entity.name) of \(group.view.name); expected one type per join key")
                }
            }
        }
    }

    /// Resolves the features of the feature service `name`.
    public static func resolve(service name: String, in repository: Repository) throws -> FeatureSelection {
        guard let service = repository.featureService(named: name) else {
            let known = repository.featureServices.map(\.name).sorted().joined(separator: ", ")
            throw OfflineError(
                .unknownFeature,
                "unknown feature service '\(name)' (registered services of project \(repository.project): \(known.isEmpty ? "none" : known))")
        }
        return try resolve(service.features, in: repository)
    }

    /// Parses `view:feature,view:feature` as given on a command line.
    public static func parseReferences(_ text: String) throws -> [FeatureReference] {
        try text.split(separator: ",").map { part in
            let trimmed = part.trimmingCharacters(in: .whitespaces)
            guard let reference = FeatureReference(parsing: trimmed) else {
                throw OfflineError(.unknownFeature, "'\(trimmed)' is not a feature reference (expected view:feature)")
            }
            return reference
        }
    }
}


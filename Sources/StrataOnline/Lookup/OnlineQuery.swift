import StrataColumnar
import StrataCore
import StrataOffline

/// Features resolved for online lookups: prepare once, look up many times.
public struct OnlineQuery: Sendable {
    /// One view's part of the query; a class, so that the per-reply decoding borrows it without copying.
    final class Group: Sendable {
        let view: OnlineView
        /// For each of the view's features, its position among the requested ones, or -1.
        let slots: [Int]
        /// The column type of each of the view's features, in the view's order.
        let types: [ColumnType]
        /// For each of the view's join keys, its position in `joinKeys`.
        let keyPositions: [Int]
        let ttlMicros: Int64
        let expiryMicros: Int64?
        /// How an aggregation view's tile records are read; nil for other views.
        let tiles: TilePlan?

        init(
            view: OnlineView, slots: [Int], types: [ColumnType], keyPositions: [Int], ttlMicros: Int64, expiryMicros: Int64?,
            tiles: TilePlan? = nil
        ) {
            self.tiles = tiles
            self.view = view
            self.slots = slots
            self.types = types
            self.keyPositions = keyPositions
            self.ttlMicros = ttlMicros
            self.expiryMicros = expiryMicros
        }
    }

    /// The features, in the order asked for.
    public let references: [FeatureReference]
    /// Every join key the request needs (name and type), in order of first appearance.
    public let joinKeys: [(name: String, type: JoinKeyType)]
    let groups: [Group]
    /// For each requested feature, its group.
    let featureGroup: [Int]
    /// For each requested feature, its column type.
    let featureTypes: [ColumnType]

    /// Resolves `references` in `repository`.
    /// - Throws: `OnlineError.unknownFeature` for an unknown view or feature (naming what exists),
    ///   `.notOnline` for a view that is not materialised.
    public init(_ references: [FeatureReference], in repository: Repository) throws {
        let selection: FeatureSelection
        do {
            selection = try FeatureSelection.resolve(references, in: repository)
        } catch let error as OfflineError {
            throw OnlineError(.unknownFeature, error.message)
        }
        try self.init(selection: selection, project: repository.project)
    }

    /// Resolves the features of the feature service `name`.
    public init(service name: String, in repository: Repository) throws {
        guard let service = repository.featureService(named: name) else {
            let known = repository.featureServices.map(\.name).sorted().joined(separator: ", ")
            throw OnlineError(
                .unknownFeature,
                "unknown feature service '\(name)' (registered services of project \(repository.project): \(known.isEmpty ? "none" : known))")
        }
        try self.init(service.features, in: repository)
    }

    init(selection: FeatureSelection, project: String) throws {
        references = selection.references
        let joinKeys = selection.joinKeys
        self.joinKeys = joinKeys
        var groups: [Group] = []
        var featureGroup = [Int](repeating: 0, count: selection.references.count)
        var featureTypes = [ColumnType](repeating: .float64, count: selection.references.count)
        for group in selection.groups {
            guard group.view.online else {
                throw OnlineError(
                    .notOnline, "feature view \(group.view.name) has online: false; its features cannot be looked up online")
            }
            let view = OnlineView(project: project, view: group.view, source: group.source, entities: group.entities)
            var slots = [Int](repeating: -1, count: group.view.features.count)
            for (feature, position) in zip(group.features, group.outputPositions) {
                let index = group.view.features.firstIndex { $0.name == feature.name }!
                slots[index] = position
                featureGroup[position] = groups.count
                featureTypes[position] = ColumnType(feature.type)
            }
            let keyPositions = group.joinKeys.map { key in joinKeys.firstIndex { $0.name == key }! }
            groups.append(
                Group(
                    view: view, slots: slots, types: view.featureColumnTypes, keyPositions: keyPositions,
                    ttlMicros: UTCTimestamp.micros(seconds: group.view.ttlSeconds),
                    expiryMicros: group.view.onlineExpirySeconds.map(UTCTimestamp.micros(seconds:)),
                    tiles: group.view.isAggregation ? try TilePlan(view: view, slots: slots) : nil))
        }
        self.groups = groups
        self.featureGroup = featureGroup
        self.featureTypes = featureTypes
    }

    /// The entity rows of a request as typed join-key columns, from `name=value` pairs per row (as the
    /// command line gives them).
    /// - Throws: `OnlineError.badEntity` for a join key the features do not use, a missing join key, or a
    ///   value that is not of the key's type; the message names the row and the key.
    public func entities(parsing rows: [[(name: String, value: String)]]) throws -> Frame {
        var builders = joinKeys.map { ColumnBuilder(type: $0.type == .int64 ? .int64 : .string, capacity: rows.count) }
        let expected = joinKeys.map(\.name).joined(separator: ", ")
        for (number, row) in rows.enumerated() {
            var seen = Set<String>()
            for pair in row {
                guard let index = joinKeys.firstIndex(where: { $0.name == pair.name }) else {
                    throw OnlineError(
                        .badEntity,
                        "entity row \(number + 1): '\(pair.name)' is not a join key of the requested features (expected: \(expected))")
                }
                guard seen.insert(pair.name).inserted else {
                    throw OnlineError(.badEntity, "entity row \(number + 1): join key \(pair.name) is given twice")
                }
                switch joinKeys[index].type {
                case .int64:
                    guard let value = Int64(pair.value) else {
                        throw OnlineError(
                            .badEntity,
                            "entity row \(number + 1): join key \(pair.name) is int64, but '\(pair.value)' is not an integer")
                    }
                    builders[index].append(value)
                case .string:
                    builders[index].appendString(pair.value)
                }
            }
            if let missing = joinKeys.first(where: { !seen.contains($0.name) }) {
                throw OnlineError(
                    .badEntity, "entity row \(number + 1) has no value for join key \(missing.name) (expected: \(expected))")
            }
        }
        return Frame(names: joinKeys.map(\.name), columns: builders.map { $0.finish() }, rowCount: rows.count)
    }

    /// The join-key columns of `entities` in `joinKeys` order, checked for presence, type and nulls.
    func keyColumns(_ entities: Frame) throws -> [Column] {
        try joinKeys.map { key in
            guard let column = entities[key.name] else {
                throw OnlineError(
                    .badEntity,
                    "the entities have no join key \(key.name), which the requested features need (given: \(entities.names.joined(separator: ", ")))")
            }
            let expected: ColumnType = key.type == .int64 ? .int64 : .string
            guard column.type == expected else {
                throw OnlineError(
                    .badEntity, "join key \(key.name) is \(key.type.rawValue), but the entities give \(column.type.rawValue) values")
            }
            if column.nullCount > 0 {
                let row = (0..<column.count).first { column.isNull($0) }!
                throw OnlineError(.badEntity, "entity row \(row + 1) has a null join key \(key.name)")
            }
            return column
        }
    }
}

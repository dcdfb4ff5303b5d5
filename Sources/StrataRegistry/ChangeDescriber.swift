import StrataCore

/// Describes what changed between two versions of an object, and whether it breaks readers.
enum ChangeDescriber {
    /// The detail lines and the breaking flag for a change from `old` to `new` of the same kind.
    static func describe(old: RegisteredObject, new: DesiredObject) throws -> (details: [String], breaking: Bool) {
        switch new.declared {
        case .entity(let e): diff(try old.decode(Entity.self), e)
        case .source(let s): diff(try old.decode(Source.self), s)
        case .featureView(let v): diff(try old.decode(FeatureView.self), v)
        case .featureService(let s): diff(try old.decode(FeatureService.self), s)
        }
    }

    /// The detail lines of an added object.
    static func describeAdded(_ object: DesiredObject) -> [String] {
        switch object.declared {
        case .featureView(let view) where view.isAggregation:
            aggregationLines(view)
        case .featureView(let view):
            view.features.map { "feature \($0.name): \($0.type.rawValue)" }
                + ["ttl: \(Durations.format(view.ttlSeconds)), online: \(view.online)"]
        case .featureService(let service):
            service.features.map { "\($0)" }
        default:
            []
        }
    }

    static func diff(_ a: Entity, _ b: Entity) -> ([String], Bool) {
        var details: [String] = []
        var breaking = false
        if a.joinKey != b.joinKey { details.append("join_key: \(a.joinKey) -> \(b.joinKey) (breaking)"); breaking = true }
        if a.type != b.type { details.append("type: \(a.type.rawValue) -> \(b.type.rawValue) (breaking)"); breaking = true }
        if a.description != b.description { details.append("description changed") }
        return (details, breaking)
    }

    static func diff(_ a: Source, _ b: Source) -> ([String], Bool) {
        var details: [String] = []
        if a.table != b.table { details.append("table: \(a.table) -> \(b.table)") }
        if a.timestampColumn != b.timestampColumn { details.append("timestamp: \(a.timestampColumn) -> \(b.timestampColumn)") }
        if a.createdTimestampColumn != b.createdTimestampColumn {
            details.append("created_timestamp: \(a.createdTimestampColumn ?? "none") -> \(b.createdTimestampColumn ?? "none")")
        }
        return (details, false)
    }

    static func diff(_ a: FeatureView, _ b: FeatureView) -> ([String], Bool) {
        var details: [String] = []
        var breaking = false
        if a.entities != b.entities {
            details.append("entities: [\(a.entities.joined(separator: ", "))] -> [\(b.entities.joined(separator: ", "))] (breaking)")
            breaking = true
        }
        if a.source != b.source { details.append("source: \(a.source) -> \(b.source)") }
        if a.ttlSeconds != b.ttlSeconds {
            details.append("ttl: \(Durations.format(a.ttlSeconds)) -> \(Durations.format(b.ttlSeconds))")
        }
        if a.online != b.online { details.append("online: \(a.online) -> \(b.online)") }
        if a.onlineExpirySeconds != b.onlineExpirySeconds {
            details.append(
                "online_expiry: \(a.onlineExpirySeconds.map(Durations.format) ?? "never") -> \(b.onlineExpirySeconds.map(Durations.format) ?? "never")")
        }
        let oldFeatures = Dictionary(a.features.map { ($0.name, $0) }, uniquingKeysWith: { x, _ in x })
        let newFeatures = Dictionary(b.features.map { ($0.name, $0) }, uniquingKeysWith: { x, _ in x })
        for feature in a.features {
            guard let replacement = newFeatures[feature.name] else {
                details.append("feature \(feature.name) removed (breaking)")
                breaking = true
                continue
            }
            if replacement.type != feature.type {
                details.append("feature \(feature.name): \(feature.type.rawValue) -> \(replacement.type.rawValue) (breaking)")
                breaking = true
            }
            if replacement.drift != feature.drift { details.append("feature \(feature.name): drift settings changed") }
        }
        for feature in b.features where oldFeatures[feature.name] == nil {
            details.append("feature \(feature.name) added: \(feature.type.rawValue)")
        }
        if a.features.map(\.name).filter({ newFeatures[$0] != nil }) != b.features.map(\.name).filter({ oldFeatures[$0] != nil }) {
            details.append("feature order changed")
        }
        if diffAggregations(a, b, into: &details) { breaking = true }
        if a.description != b.description { details.append("description changed") }
        return (details, breaking)
    }

    static func diff(_ a: FeatureService, _ b: FeatureService) -> ([String], Bool) {
        var details: [String] = []
        var breaking = false
        let newSet = Set(b.features)
        let oldSet = Set(a.features)
        for reference in a.features where !newSet.contains(reference) {
            details.append("\(reference) removed (breaking)")
            breaking = true
        }
        for reference in b.features where !oldSet.contains(reference) { details.append("\(reference) added") }
        if a.features.filter(newSet.contains) != b.features.filter(oldSet.contains) { details.append("feature order changed") }
        if a.description != b.description { details.append("description changed") }
        return (details, breaking)
    }
}

import Yams

/// Reads one schema file into declarations, reporting every problem the file shows on its own.
///
/// Problems that need other files (duplicate names, references) are the `SchemaValidator`'s.
struct SchemaFileParser {
    /// The file's path, as locations name it.
    let file: String
    /// The problems found so far.
    private(set) var errors: [SchemaError] = []

    init(file: String) {
        self.file = file
    }

    // The keys each kind of mapping allows, in the order messages list them.
    private static let topLevelKeys = ["project", "entities", "sources", "feature_views", "feature_services"]
    private static let entityKeys = ["name", "join_key", "type", "description"]
    private static let sourceKeys = ["name", "table", "timestamp", "created_timestamp"]
    private static let featureViewKeys = [
        "name", "entities", "source", "ttl", "online", "online_expiry", "features", "hop", "aggregations", "description",
    ]
    private static let featureKeys = ["name", "type", "drift"]
    private static let driftKeys = ["method", "threshold"]
    private static let featureServiceKeys = ["name", "features", "description"]

    /// The file's declarations, or nil when `text` is not YAML or its top level is not a mapping.
    mutating func parse(_ text: String) -> SchemaFile? {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            errors.append(syntaxError(error, in: text))
            return nil
        }
        var schema = SchemaFile(file: file)
        guard let root else { return schema }
        guard let top = object(root, noun: "the top level of a schema file", allowed: Self.topLevelKeys, required: [])
        else { return nil }
        schema.project = identifier(top, "project")
        schema.entities = section(top, "entities", of: "entities").compactMap { entity($0) }
        schema.sources = section(top, "sources", of: "sources").compactMap { source($0) }
        schema.featureViews = section(top, "feature_views", of: "feature views").compactMap { featureView($0) }
        schema.featureServices = section(top, "feature_services", of: "feature services").compactMap {
            featureService($0)
        }
        return schema
    }

    /// Records a problem at `node`.
    mutating func report(_ code: SchemaError.Code, _ message: String, at node: Node) {
        report(code, message, at: location(of: node))
    }

    /// Records a problem at `location`.
    mutating func report(_ code: SchemaError.Code, _ message: String, at location: SourceLocation) {
        errors.append(SchemaError(code, message, at: location))
    }

    /// The items of a top-level list; an absent or empty (null) section has none.
    private mutating func section(_ top: CheckedMapping, _ key: String, of items: String) -> [Node] {
        guard let node = top.values[key], tagName(of: node) != .null else { return [] }
        guard case let .sequence(sequence) = node else {
            report(.wrongType, "'\(key)' must be a list of \(items), found \(describe(node))", at: node)
            return []
        }
        return Array(sequence)
    }

    private mutating func entity(_ node: Node) -> EntityDeclaration? {
        guard let object = object(
            node, noun: ObjectKind.entity.noun, allowed: Self.entityKeys, required: ["name", "join_key", "type"]
        ) else { return nil }
        var entity = EntityDeclaration(location: object.location)
        entity.name = identifier(object, "name")
        entity.joinKey = identifier(object, "join_key")
        entity.type = choice(object, "type", of: JoinKeyType.self)
        entity.description = string(object, "description")?.value
        return entity
    }

    private mutating func source(_ node: Node) -> SourceDeclaration? {
        guard let object = object(
            node, noun: ObjectKind.source.noun, allowed: Self.sourceKeys, required: ["name", "table", "timestamp"]
        ) else { return nil }
        var source = SourceDeclaration(location: object.location)
        source.name = identifier(object, "name")
        source.table = table(object, "table")
        source.timestamp = identifier(object, "timestamp")
        source.createdTimestamp = identifier(object, "created_timestamp")
        if let created = source.createdTimestamp, created.value == source.timestamp?.value {
            report(
                .badValue,
                "'created_timestamp' of \(object.subject) is '\(created.value)', the same column as 'timestamp'; "
                    + "expected a different column, or no created_timestamp",
                at: created.location
            )
        }
        return source
    }

    private mutating func featureView(_ node: Node) -> FeatureViewDeclaration? {
        // An aggregation view's features are its aggregations, and its windows bound the events' age.
        let aggregates = node.mapping?["aggregations"] != nil
        guard let object = object(
            node, noun: ObjectKind.featureView.noun, allowed: Self.featureViewKeys,
            required: ["name", "entities", "source"] + (aggregates ? ["aggregations"] : ["ttl", "features"])
        ) else { return nil }
        var view = FeatureViewDeclaration(location: object.location)
        view.name = identifier(object, "name")
        if let entities = list(object, "entities", of: "entity name") {
            let names = entities.value.compactMap { string($0, what: "an entry of 'entities' of \(object.subject)") }
            view.entities = Located(value: names, location: entities.location)
        }
        view.source = string(object, "source")
        view.ttlSeconds = duration(object, "ttl")
        view.online = bool(object, "online")
        view.onlineExpirySeconds = duration(object, "online_expiry")
        if let features = list(object, "features", of: "feature") {
            let declarations = features.value.compactMap { feature($0, of: object.subject) }
            view.features = Located(value: declarations, location: features.location)
        }
        view.description = string(object, "description")?.value
        aggregations(object, into: &view)
        return view
    }

    private mutating func feature(_ node: Node, of owner: String) -> FeatureDeclaration? {
        guard let object = object(
            node, noun: "feature", of: owner, allowed: Self.featureKeys, required: ["name", "type"]
        ) else { return nil }
        var feature = FeatureDeclaration(location: object.location)
        feature.name = identifier(object, "name")
        feature.type = choice(object, "type", of: ValueType.self)
        if let node = object.values["drift"] {
            feature.drift = drift(node, of: object.subject)
        }
        return feature
    }

    mutating func drift(_ node: Node, of owner: String) -> DriftSettings? {
        guard let object = object(node, noun: "drift settings", of: owner, allowed: Self.driftKeys, required: [])
        else { return nil }
        var drift = DriftSettings()
        if let method = string(object, "method") {
            if DriftSettings.methods.contains(method.value) {
                drift.method = method.value
            } else {
                report(
                    .badValue,
                    "'method' of \(object.subject) is '\(method.value)'; expected one of: "
                        + DriftSettings.methods.joined(separator: ", "),
                    at: method.location
                )
            }
        }
        drift.threshold = positiveNumber(object, "threshold")
        return drift
    }

    private mutating func featureService(_ node: Node) -> FeatureServiceDeclaration? {
        guard let object = object(
            node, noun: ObjectKind.featureService.noun, allowed: Self.featureServiceKeys, required: ["name", "features"]
        ) else { return nil }
        var service = FeatureServiceDeclaration(location: object.location)
        service.name = identifier(object, "name")
        if let features = list(object, "features", of: "feature reference") {
            let references = features.value.compactMap { reference($0, of: object.subject) }
            service.features = Located(value: references, location: features.location)
        }
        service.description = string(object, "description")?.value
        return service
    }

    private mutating func reference(_ node: Node, of owner: String) -> Located<FeatureReference>? {
        guard let text = string(node, what: "an entry of 'features' of \(owner)") else { return nil }
        guard let reference = FeatureReference(parsing: text.value),
              Identifier.isValid(reference.view), Identifier.isValid(reference.feature)
        else {
            report(
                .badValue,
                "'\(text.value)' in 'features' of \(owner) is not a feature reference; "
                    + "expected 'view:feature' (e.g. driver_hourly_stats:conv_rate)",
                at: text.location
            )
            return nil
        }
        return Located(value: reference, location: text.location)
    }

    /// A table name, optionally schema-qualified.
    private mutating func table(_ object: CheckedMapping, _ key: String) -> Located<String>? {
        guard let table = string(object, key) else { return nil }
        let parts = table.value.split(separator: ".", omittingEmptySubsequences: false)
        if parts.count > 2 || !parts.allSatisfy({ Identifier.isValid(String($0)) }) {
            report(
                .badValue,
                "'\(key)' of \(object.subject) is '\(table.value)'; expected a table name or schema.table, "
                    + "each part \(Identifier.expected)",
                at: table.location
            )
        }
        return table
    }
}

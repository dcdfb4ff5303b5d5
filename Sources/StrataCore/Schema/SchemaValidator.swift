/// Checks the declarations of all schema files against each other and assembles the `Repository`.
///
/// The first declaration of a name wins; later ones are reported and left out.
struct SchemaValidator {
    /// The problems found so far.
    private(set) var errors: [SchemaError] = []

    /// The repository `files` declare, or nil when none names the project; problems are in `errors`.
    mutating func repository(from files: [SchemaFile]) -> Repository? {
        let project = project(of: files)
        let entities = firstOfEachName(files.flatMap(\.entities))
        let sources = firstOfEachName(files.flatMap(\.sources))
        let views = firstOfEachName(files.flatMap(\.featureViews))
        let services = firstOfEachName(files.flatMap(\.featureServices))
        for view in files.flatMap(\.featureViews) {
            check(view, entities: entities.byName, sources: sources.byName)
        }
        for service in files.flatMap(\.featureServices) {
            check(service, views: views.byName, entities: entities.byName)
        }
        guard let project else { return nil }

        var repository = Repository(
            project: project,
            entities: entities.ordered.compactMap(\.entity),
            sources: sources.ordered.compactMap(\.source),
            featureViews: views.ordered.compactMap(\.featureView),
            featureServices: services.ordered.compactMap(\.featureService)
        )
        record(entities.ordered, into: &repository.locations)
        record(sources.ordered, into: &repository.locations)
        record(views.ordered, into: &repository.locations)
        record(services.ordered, into: &repository.locations)
        return repository
    }

    /// The one project all files name.
    private mutating func project(of files: [SchemaFile]) -> String? {
        var first: Located<String>?
        for project in files.compactMap(\.project) {
            guard let first else {
                first = project
                continue
            }
            if project.value != first.value {
                report(
                    .projectMismatch,
                    "project '\(project.value)' differs from project '\(first.value)' named at \(first.location); "
                        + "expected every schema file to name the same project",
                    at: project.location
                )
            }
        }
        if first == nil {
            report(
                .missingKey,
                "no schema file names the project; expected a top-level key 'project' (e.g. project: rides) "
                    + "in at least one file",
                at: files.first.map { SourceLocation(file: $0.file, line: 1, column: 1) }
            )
        }
        return first?.value
    }

    /// The named declarations, only the first of each name, in order and by name; reports the others.
    private mutating func firstOfEachName<D: SchemaDeclaration>(_ declarations: [D]) -> (ordered: [D], byName: [String: D]) {
        var ordered: [D] = []
        var byName: [String: D] = [:]
        for declaration in declarations {
            guard let name = declaration.name?.value else { continue }
            if let first = byName[name] {
                report(
                    .duplicateName,
                    "\(D.kind.noun) '\(name)' is already declared at \(first.location); "
                        + "expected each \(D.kind.noun) to have its own name",
                    at: declaration.location
                )
                continue
            }
            ordered.append(declaration)
            byName[name] = declaration
        }
        return (ordered, byName)
    }

    /// Checks a view's entities, source and feature names.
    private mutating func check(
        _ view: FeatureViewDeclaration, entities: [String: EntityDeclaration], sources: [String: SourceDeclaration]
    ) {
        let joinKeys = checkEntities(of: view, entities: entities)
        let timestampColumns = checkSource(of: view, sources: sources)
        checkFeatures(of: view, joinKeys: joinKeys, timestampColumns: timestampColumns)
    }

    /// Checks that a view's entities are declared, listed once and agree on join key types;
    /// returns its join keys with the entity that brings each.
    private mutating func checkEntities(
        of view: FeatureViewDeclaration, entities: [String: EntityDeclaration]
    ) -> [String: (entity: String, type: JoinKeyType)] {
        var listed: [String: SourceLocation] = [:]
        var joinKeys: [String: (entity: String, type: JoinKeyType)] = [:]
        for reference in view.entities?.value ?? [] {
            let name = reference.value
            if let first = listed[name] {
                report(
                    .duplicateName, "\(view.subject) lists entity '\(name)' twice (first at \(first)); expected it once",
                    at: reference.location
                )
                continue
            }
            listed[name] = reference.location
            guard let entity = entities[name] else {
                report(
                    .unknownReference,
                    "\(view.subject) names entity '\(name)', which is not declared; \(expected(entities.keys, "entity"))",
                    at: reference.location
                )
                continue
            }
            guard let joinKey = entity.joinKey?.value, let type = entity.type?.value else { continue }
            guard let other = joinKeys[joinKey] else {
                joinKeys[joinKey] = (name, type)
                continue
            }
            if other.type != type {
                report(
                    .joinKeyConflict,
                    "entities '\(other.entity)' and '\(name)' of \(view.subject) share join key '\(joinKey)' "
                        + "with different types (\(other.type.rawValue) and \(type.rawValue)); "
                        + "expected one type per join key",
                    at: reference.location
                )
            }
        }
        return joinKeys
    }

    /// Checks that a view's source is declared; returns its timestamp columns by key (`timestamp`, ...).
    private mutating func checkSource(
        of view: FeatureViewDeclaration, sources: [String: SourceDeclaration]
    ) -> [(key: String, column: String)] {
        guard let source = view.source else { return [] }
        guard let declared = sources[source.value] else {
            report(
                .unknownReference,
                "\(view.subject) reads source '\(source.value)', which is not declared; \(expected(sources.keys, "source"))",
                at: source.location
            )
            return []
        }
        var columns: [(key: String, column: String)] = []
        if let column = declared.timestamp?.value {
            columns.append(("timestamp", column))
        }
        if let column = declared.createdTimestamp?.value {
            columns.append(("created_timestamp", column))
        }
        return columns
    }

    /// Checks that a view's feature names are distinct and differ from its key and timestamp columns.
    private mutating func checkFeatures(
        of view: FeatureViewDeclaration, joinKeys: [String: (entity: String, type: JoinKeyType)],
        timestampColumns: [(key: String, column: String)]
    ) {
        var features: [String: SourceLocation] = [:]
        for feature in view.outputs {
            let name = feature.name
            if let first = features[name.value] {
                report(
                    .duplicateName,
                    "feature '\(name.value)' of \(view.subject) is already declared at \(first); "
                        + "expected each feature of a view to have its own name",
                    at: feature.location
                )
                continue
            }
            features[name.value] = feature.location
            if let owner = joinKeys[name.value] {
                report(
                    .nameCollision,
                    "feature '\(name.value)' of \(view.subject) has the name of the join key of entity "
                        + "'\(owner.entity)'; expected feature names to differ from the view's join keys",
                    at: name.location
                )
            }
            if let column = timestampColumns.first(where: { $0.column == name.value }), let source = view.source {
                report(
                    .nameCollision,
                    "feature '\(name.value)' of \(view.subject) has the name of the \(column.key) column of "
                        + "source '\(source.value)'; expected feature names to differ from the source's timestamp columns",
                    at: name.location
                )
            }
        }
    }

    /// Checks that a service's references are distinct, name declared views and features, and that its
    /// views agree on the type of each join key they share (a spine or entity row has one column per key).
    private mutating func check(
        _ service: FeatureServiceDeclaration, views: [String: FeatureViewDeclaration],
        entities: [String: EntityDeclaration]
    ) {
        var listed: [FeatureReference: SourceLocation] = [:]
        var joinKeys: [String: (view: String, entity: String, type: JoinKeyType)] = [:]
        for reference in service.features?.value ?? [] {
            let target = reference.value
            if let first = listed[target] {
                report(
                    .duplicateName,
                    "\(service.subject) lists '\(target)' twice (first at \(first)); expected each feature once",
                    at: reference.location
                )
                continue
            }
            listed[target] = reference.location
            guard let view = views[target.view] else {
                report(
                    .unknownReference,
                    "\(service.subject) refers to feature view '\(target.view)', which is not declared; "
                        + expected(views.keys, "feature view"),
                    at: reference.location
                )
                continue
            }
            checkJoinKeys(of: view, in: service, at: reference.location, entities: entities, seen: &joinKeys)
            let features = view.outputs.map(\.name.value)
            guard view.features != nil || view.aggregations != nil else { continue }
            if !features.contains(target.feature) {
                report(
                    .unknownReference,
                    "\(service.subject) refers to feature '\(target.feature)' of feature view '\(target.view)', "
                        + "which has no such feature; \(expected(features, "feature"))",
                    at: reference.location
                )
            }
        }
    }

    /// Reports a join key of `view` whose type differs from that of the same key in a view the service
    /// referred to before; records the view's keys in `seen`.
    private mutating func checkJoinKeys(
        of view: FeatureViewDeclaration, in service: FeatureServiceDeclaration, at location: SourceLocation,
        entities: [String: EntityDeclaration], seen: inout [String: (view: String, entity: String, type: JoinKeyType)]
    ) {
        guard let viewName = view.name?.value else { return }
        for name in view.entities?.value.map(\.value) ?? [] {
            guard let entity = entities[name], let joinKey = entity.joinKey?.value, let type = entity.type?.value else {
                continue
            }
            guard let first = seen[joinKey] else {
                seen[joinKey] = (viewName, name, type)
                continue
            }
            if first.type != type {
                report(
                    .joinKeyConflict,
                    "\(service.subject) refers to feature view '\(viewName)', whose entity '\(name)' has join key "
                        + "'\(joinKey)' of type \(type.rawValue); feature view '\(first.view)' (entity '\(first.entity)') "
                        + "has join key '\(joinKey)' of type \(first.type.rawValue); expected one type per join key",
                    at: location
                )
                return
            }
        }
    }

    /// "expected one of: a, b", or that there is none to choose from.
    private func expected(_ names: some Collection<String>, _ noun: String) -> String {
        guard !names.isEmpty else { return "no \(noun) is declared" }
        return "expected one of: \(names.sorted().joined(separator: ", "))"
    }

    /// Adds where each declaration and its fields were written.
    private func record<D: SchemaDeclaration>(_ declarations: [D], into locations: inout [ObjectPath: SourceLocation]) {
        for declaration in declarations {
            guard let name = declaration.name?.value else { continue }
            locations[ObjectPath(D.kind, name)] = declaration.location
            for (field, location) in declaration.fieldLocations {
                locations[ObjectPath(D.kind, name, field: field)] = location
            }
        }
    }

    private mutating func report(_ code: SchemaError.Code, _ message: String, at location: SourceLocation?) {
        errors.append(SchemaError(code, message, at: location))
    }
}

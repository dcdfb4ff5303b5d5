import StrataCore
import StrataPostgres

/// The feature registry in PostgreSQL: every version of every object, plans and atomic applies.
/// Not thread-safe: it uses its connection, which has one owner at a time.
public final class Registry {
    /// The connection the registry reads and writes through.
    public let connection: PostgresConnection

    /// Opens the registry on `connection`, applying pending migrations first.
    public init(connection: PostgresConnection) throws {
        self.connection = connection
        try Migrator.migrate(connection)
    }

    /// The registry of `connection` for reading only: it is not migrated, so a read-only role can open it.
    /// - Throws: `RegistryError.notMigrated` naming the pending migrations when the database lacks some.
    public init(readingFrom connection: PostgresConnection) throws {
        self.connection = connection
        let pending = try Migrator.pending(connection)
        guard pending.isEmpty else {
            throw RegistryError(
                code: .notMigrated,
                message: "the registry at \(connection.redactedURL) lacks migrations \(pending.map(String.init).joined(separator: ", ")) "
                    + "of this Strata; run `strata migrate` (or `strata apply`) with a role that may create tables, then retry")
        }
    }

    /// The latest version of every object of `project` that is not removed.
    public func currentObjects(project: String) throws -> [RegisteredObject] {
        try objects(
            """
            SELECT kind, name, version, content_hash, spec::text, removed, applied_at::text
            FROM strata_current_objects WHERE project = $1 AND NOT removed ORDER BY kind, name
            """, [.text(project)])
    }

    /// Every version of one object, oldest first (removals included).
    public func history(project: String, kind: ObjectKind, name: String) throws -> [RegisteredObject] {
        try objects(
            """
            SELECT kind, name, version, content_hash, spec::text, removed, applied_at::text
            FROM strata_objects WHERE project = $1 AND kind = $2 AND name = $3 ORDER BY version
            """, [.text(project), .text(kind.rawValue), .text(name)])
    }

    /// The projects that have anything registered.
    public func projects() throws -> [String] {
        let rows = try connection.execute("SELECT DISTINCT project FROM strata_current_objects WHERE NOT removed ORDER BY 1")
        return (0..<rows.rowCount).compactMap { rows.string($0, 0) }
    }

    /// The registered state of `project` as a `Repository` (without file locations).
    public func repository(project: String) throws -> Repository {
        var repository = Repository(project: project)
        for object in try currentObjects(project: project) {
            switch object.kind {
            case .entity: repository.entities.append(try object.decode(Entity.self))
            case .source: repository.sources.append(try object.decode(Source.self))
            case .featureView: repository.featureViews.append(try object.decode(FeatureView.self))
            case .featureService: repository.featureServices.append(try object.decode(FeatureService.self))
            case .model: break
            }
        }
        return repository
    }

    /// The changes that applying `repository` would make.
    public func plan(_ repository: Repository) throws -> Plan {
        let current = try currentObjectsIncludingRemoved(project: repository.project)
        var plan = try Self.diff(project: repository.project, current: current, desired: DesiredObject.all(in: repository))
        if !plan.isEmpty {
            plan.onlineResets = Self.onlineViewsToReset(from: try self.repository(project: repository.project), to: repository)
        }
        return plan
    }

    /// Applies `repository` in one transaction: new versions for added and changed objects, a removal
    /// version for objects no longer declared, and, for online views whose stored values the change
    /// invalidates (`Plan.onlineResets`), the watermark removed and the keys recorded for deletion
    /// (`pendingOnlineCleanups`; the online store deletes them after the commit). A second apply of the
    /// same files changes nothing. Concurrent applies of one project are serialised by an advisory lock,
    /// and running servers are notified when a change commits (`Registry.changeChannel`). The views it
    /// resets are locked (`lockViews`, then `lockPushes`) before anything is written, so an apply waits for
    /// their running materialisations and pushes instead of resetting watermarks or layouts under them.
    /// - Parameters:
    ///   - allowBreaking: whether breaking changes (`Plan.Change.breaking`) may be applied.
    ///   - keepingViewLocks: whether the reset views' locks are still held on return, for a caller that
    ///     deletes their online keys next and then releases them (`unlockPushes` and `unlockViews`,
    ///     `Plan.onlineResets`).
    ///   - waiting: hears why the apply waits for another run.
    /// - Throws: `RegistryError.breakingChange`, naming each one, when the plan has breaking changes
    ///   and `allowBreaking` is false; nothing is applied then, and no lock is kept.
    /// - Returns: the plan that was applied.
    @discardableResult
    public func apply(
        _ repository: Repository, allowBreaking: Bool = false, keepingViewLocks: Bool = false, waiting: (String) -> Void = { _ in }
    ) throws -> Plan {
        var locked: [String] = []
        var pushesLocked: [String] = []
        do {
            let plan = try apply(
                repository, allowBreaking: allowBreaking, locking: &locked, lockingPushes: &pushesLocked, waiting: waiting)
            if !keepingViewLocks {
                unlockPushes(project: repository.project, views: locked)
                unlockViews(project: repository.project, views: locked)
            }
            return plan
        } catch {
            unlockPushes(project: repository.project, views: pushesLocked)
            unlockViews(project: repository.project, views: locked)
            throw error
        }
    }

    func apply(
        _ repository: Repository, allowBreaking: Bool, locking locked: inout [String], lockingPushes pushesLocked: inout [String],
        waiting: (String) -> Void
    ) throws -> Plan {
        let desired = DesiredObject.all(in: repository)
        return try connection.transaction { db in
            try db.execute("SELECT pg_advisory_xact_lock($1, hashtext($2))", [.int(Int64(Int32.max)), .text(repository.project)])
            let current = try currentObjectsIncludingRemoved(project: repository.project)
            var plan = try Self.diff(project: repository.project, current: current, desired: desired)
            guard !plan.isEmpty else { return plan }
            if plan.hasBreakingChanges && !allowBreaking {
                throw RegistryError(
                    code: .breakingChange,
                    message: "the schema files change project \(repository.project) in ways that can break models and readers of its features:\n"
                        + plan.breakingSummary.map { "  \($0)" }.joined(separator: "\n")
                        + "\nNothing was applied. Review the plan with `strata plan`, then apply with --allow-breaking.")
            }
            plan.onlineResets = Self.onlineViewsToReset(from: try self.repository(project: repository.project), to: repository)
            try lockViews(project: repository.project, views: plan.onlineResets, waiting: waiting)
            locked = plan.onlineResets
            try lockPushes(project: repository.project, views: plan.onlineResets, waiting: waiting)
            pushesLocked = plan.onlineResets
            let summary = CanonicalJSON.encode(plan)
            let applyRow = try db.execute(
                "INSERT INTO strata_applies (project, summary) VALUES ($1, $2::jsonb) RETURNING id",
                [.text(repository.project), .text(summary)])
            let applyID = applyRow.int(0, 0)!
            let byKey = Dictionary(desired.map { (ObjectKey($0.kind, $0.name), $0) }, uniquingKeysWith: { a, _ in a })
            for change in plan.changes {
                let object = byKey[ObjectKey(change.kind, change.name)]
                try db.execute(
                    """
                    INSERT INTO strata_objects (project, kind, name, version, content_hash, spec, removed, apply_id)
                    VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8)
                    """,
                    [
                        .text(repository.project), .text(change.kind.rawValue), .text(change.name),
                        .int(Int64(change.toVersion!)), .text(object?.contentHash ?? "removed"),
                        object.map { .text($0.spec) } ?? .null, .bool(change.action == .removed), .int(applyID),
                    ])
            }
            try resetOnlineViews(plan.onlineResets, project: repository.project, db: db)
            try Self.notifyChange(project: repository.project, in: db)
            return plan
        }
    }

    func currentObjectsIncludingRemoved(project: String) throws -> [RegisteredObject] {
        try objects(
            """
            SELECT kind, name, version, content_hash, spec::text, removed, applied_at::text
            FROM strata_current_objects WHERE project = $1 ORDER BY kind, name
            """, [.text(project)])
    }

    func objects(_ sql: String, _ parameters: [PostgresValue]) throws -> [RegisteredObject] {
        let rows = try connection.execute(sql, parameters)
        return try (0..<rows.rowCount).map { r in
            guard let kind = ObjectKind(rawValue: rows.string(r, 0) ?? "") else {
                throw RegistryError(code: .corruptSpec, message: "the registry holds an object of unknown kind '\(rows.string(r, 0) ?? "")'")
            }
            return RegisteredObject(
                kind: kind, name: rows.string(r, 1)!, version: Int(rows.int(r, 2)!), contentHash: rows.string(r, 3)!,
                spec: rows.string(r, 4), removed: rows.bool(r, 5)!, appliedAt: rows.string(r, 6)!)
        }
    }

    /// The plan from `current` (the latest version of each object, removed ones included or not) to `desired`.
    static func diff(project: String, current: [RegisteredObject], desired: [DesiredObject]) throws -> Plan {
        let currentByKey = Dictionary(current.map { (ObjectKey($0.kind, $0.name), $0) }, uniquingKeysWith: { a, _ in a })
        var changes: [Plan.Change] = []
        var seen = Set<ObjectKey>()
        for object in desired {
            let key = ObjectKey(object.kind, object.name)
            seen.insert(key)
            if let old = currentByKey[key], !old.removed {
                guard old.contentHash != object.contentHash else { continue }
                let (details, breaking) = try ChangeDescriber.describe(old: old, new: object)
                changes.append(
                    Plan.Change(
                        kind: object.kind, name: object.name, action: .changed, breaking: breaking,
                        details: details, fromVersion: old.version, toVersion: old.version + 1))
            } else {
                let previous = currentByKey[key]?.version ?? 0
                changes.append(
                    Plan.Change(
                        kind: object.kind, name: object.name, action: .added, breaking: false,
                        details: ChangeDescriber.describeAdded(object), fromVersion: nil, toVersion: previous + 1))
            }
        }
        for old in current where !old.removed && !seen.contains(ObjectKey(old.kind, old.name)) && old.kind != .model {
            changes.append(
                Plan.Change(
                    kind: old.kind, name: old.name, action: .removed, breaking: old.kind != .source,
                    details: [], fromVersion: old.version, toVersion: old.version + 1))
        }
        changes.sort { ($0.kind, $0.name) < ($1.kind, $1.name) }
        return Plan(project: project, changes: changes)
    }
}

struct ObjectKey: Hashable {
    var kind: ObjectKind
    var name: String
    init(_ kind: ObjectKind, _ name: String) {
        self.kind = kind
        self.name = name
    }
}

extension Registry {
    /// The project `name`, checked to be registered; with no name, the only registered project.
    /// - Throws: `RegistryError.notFound` when the registry is empty or `name` is not in it, and
    ///   `.badInput` when several projects leave the choice open.
    public func resolveProject(_ name: String?) throws -> String {
        let projects = try projects()
        if let name {
            guard projects.contains(name) else {
                throw RegistryError(
                    code: .notFound,
                    message: "project \(name) is not registered (registered: \(projects.isEmpty ? "none" : projects.joined(separator: ", ")))")
            }
            return name
        }
        guard projects.count == 1 else {
            throw projects.isEmpty
                ? RegistryError(code: .notFound, message: "the registry is empty: register schema files with `strata apply` first")
                : RegistryError(
                    code: .badInput,
                    message: "the registry holds several projects (\(projects.joined(separator: ", "))): choose one with --project")
        }
        return projects[0]
    }
}

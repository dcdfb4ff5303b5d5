import Foundation
import StrataColumnar
import StrataCore
import StrataPostgres
import StrataRegistry

/// Saved training sets in the registry's database: the rows as built, in their own table, and the
/// lineage, so that the same set is fetched again, identical, whatever data arrives later.
public struct SavedTrainingSets {
    let registry: Registry

    public init(registry: Registry) {
        self.registry = registry
    }

    /// A saved set's description, without its rows.
    public struct Summary: Sendable, Hashable, Codable {
        public var project: String
        public var name: String
        public var createdAt: String
        public var lineage: TrainingSet.Lineage

        enum CodingKeys: String, CodingKey {
            case project, name, lineage
            case createdAt = "created_at"
        }
    }

    struct StoredColumn: Codable {
        var name: String
        var type: String
    }

    /// The name under which the set that version `version` of `model` was trained on is saved: `MODEL@vN`.
    /// Names users give are SQL identifiers, which never contain `@`, so these lineage sets have a namespace of
    /// their own: a user's set named `f12_v2` never stands in the way of model `f12`'s version 2.
    public static func lineageName(model: String, version: Int) -> String {
        "\(model)@v\(version)"
    }

    /// Throws unless `name` is a valid saved-set name still free in `project`.
    public func checkAvailable(name: String, project: String) throws {
        guard SQLIdentifier.isValid(name) else {
            throw OfflineError(.badOutput, "'\(name)' is not a valid saved-set name (letters, digits and _, starting with a letter or _)")
        }
        let existing = try registry.connection.execute(
            "SELECT 1 FROM strata_saved_sets WHERE project = $1 AND name = $2", [.text(project), .text(name)])
        guard existing.rowCount == 0 else { throw Self.alreadySaved(name, project: project) }
    }

    /// Saves `set` under `name`, in one transaction; a name is saved once (a saved set never changes).
    public func save(_ set: TrainingSet, name: String) throws {
        try checkAvailable(name: name, project: set.lineage.project)
        try registry.connection.transaction { db in try insert(set, name: name, connection: db) }
    }

    /// Registers `model` as the next version of its name together with `set`, the training set it was trained
    /// on, saved as its lineage set (`lineageName`), in one transaction: the version is allocated under the
    /// model's lock, so concurrent registrations of one name get consecutive versions, and a failure leaves
    /// neither the model version nor the set.
    /// - Returns: the version number and the lineage set's name.
    public func registerModel(_ model: ModelStore.Version, trainedOn set: TrainingSet) throws -> (version: Int, trainingSet: String) {
        try ModelStore(registry: registry).register(model) { db, version in
            let name = Self.lineageName(model: model.name, version: version)
            try insert(set, name: name, connection: db)
            return name
        }
    }

    /// Saves `set` under `name` inside the transaction open on `db`: the registry row first, so that a
    /// concurrent save of the same name waits for this one and then fails with a clear error, then the rows.
    func insert(_ set: TrainingSet, name: String, connection db: PostgresConnection) throws {
        let project = set.lineage.project
        let stored = set.frame.columns.enumerated().map { StoredColumn(name: set.frame.names[$0.offset], type: $0.element.type.rawValue) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let lineage = String(decoding: try encoder.encode(set.lineage), as: UTF8.self)
        let columns = String(decoding: try encoder.encode(stored), as: UTF8.self)
        guard let id = try db.execute("SELECT nextval('strata_saved_set_ids')").int(0, 0) else {
            throw OfflineError(.badOutput, "the sequence strata_saved_set_ids returned no value")
        }
        let table = "strata_saved_set_\(id)"
        do {
            try db.execute(
                "INSERT INTO strata_saved_sets (project, name, lineage, columns, data_table) VALUES ($1, $2, $3::jsonb, $4::jsonb, $5)",
                [.text(project), .text(name), .text(lineage), .text(columns), .text(table)])
        } catch let error as PostgresError where error.sqlState == PostgresError.uniqueViolation {
            throw Self.alreadySaved(name, project: project)
        }
        let rows = Frame(
            names: ["row_order"] + stored.indices.map { "c\($0)" },
            columns: [Column(int64: Array(0..<Int64(set.frame.rowCount)))] + set.frame.columns,
            rowCount: set.frame.rowCount)
        try TableWriter.write(rows, table: table, connection: db, inTransaction: true)
    }

    /// Removes the saved set `name` of `project` and its rows, in one transaction; nothing when there is none.
    func remove(name: String, project: String) throws {
        try registry.connection.transaction { db in
            let rows = try db.execute(
                "DELETE FROM strata_saved_sets WHERE project = $1 AND name = $2 RETURNING data_table", [.text(project), .text(name)])
            for row in 0..<rows.rowCount {
                guard let table = rows.string(row, 0) else { continue }
                try db.execute("DROP TABLE IF EXISTS \(try SQLIdentifier.quoteQualified(table))")
            }
        }
    }

    static func alreadySaved(_ name: String, project: String) -> OfflineError {
        OfflineError(.badOutput, "a training set named \(name) is already saved in project \(project); saved sets never change, so choose another name")
    }

    /// The saved sets of `project` (all projects when nil), newest first.
    public func list(project: String? = nil) throws -> [Summary] {
        let rows = try registry.connection.execute(
            """
            SELECT project, name, created_at::text, lineage::text FROM strata_saved_sets
            WHERE $1::text IS NULL OR project = $1 ORDER BY created_at DESC, name
            """, [project.map { .text($0) } ?? .null])
        return try (0..<rows.rowCount).map { r in
            Summary(
                project: rows.string(r, 0)!, name: rows.string(r, 1)!, createdAt: rows.string(r, 2)!,
                lineage: try JSONDecoder().decode(TrainingSet.Lineage.self, from: Data(rows.string(r, 3)!.utf8)))
        }
    }

    /// The saved set `name`, rows and lineage, exactly as it was saved.
    public func load(name: String, project: String? = nil) throws -> TrainingSet {
        let rows = try registry.connection.execute(
            """
            SELECT project, lineage::text, columns::text, data_table FROM strata_saved_sets
            WHERE name = $1 AND ($2::text IS NULL OR project = $2)
            """, [.text(name), project.map { .text($0) } ?? .null])
        guard rows.rowCount > 0 else {
            throw OfflineError(.notFound, "no saved training set named \(name)\(project.map { " in project \($0)" } ?? "")")
        }
        guard rows.rowCount == 1 else {
            throw OfflineError(.notFound, "several projects have a saved training set named \(name): name one with --project")
        }
        let lineage = try JSONDecoder().decode(TrainingSet.Lineage.self, from: Data(rows.string(0, 1)!.utf8))
        let stored = try JSONDecoder().decode([StoredColumn].self, from: Data(rows.string(0, 2)!.utf8))
        let table = rows.string(0, 3)!
        let copyColumns = try stored.map { column in
            guard let type = ColumnType(rawValue: column.type) else {
                throw OfflineError(.notFound, "saved set \(name) has a column of unknown type \(column.type)")
            }
            return CopyColumn(type)
        }
        let select = stored.indices.map { "c\($0)" }.joined(separator: ", ")
        let columns = try registry.connection.copyOut(
            query: "SELECT \(select) FROM \(try SQLIdentifier.quoteQualified(table)) ORDER BY row_order",
            columns: copyColumns)
        return TrainingSet(frame: Frame(names: stored.map(\.name), columns: columns, rowCount: lineage.rowCount), lineage: lineage)
    }
}

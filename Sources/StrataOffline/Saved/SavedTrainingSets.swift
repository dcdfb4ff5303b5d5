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

    /// Throws unless `name` is a valid saved-set name still free in `project`.
    public func checkAvailable(name: String, project: String) throws {
        guard SQLIdentifier.isValid(name) else {
            throw OfflineError(.badOutput, "'\(name)' is not a valid saved-set name (letters, digits and _, starting with a letter or _)")
        }
        let existing = try registry.connection.execute(
            "SELECT 1 FROM strata_saved_sets WHERE project = $1 AND name = $2", [.text(project), .text(name)])
        guard existing.rowCount == 0 else {
            throw OfflineError(.badOutput, "a training set named \(name) is already saved in project \(project); saved sets never change, so choose another name")
        }
    }

    /// Saves `set` under `name`; a name is saved once (a saved set never changes).
    public func save(_ set: TrainingSet, name: String) throws {
        try checkAvailable(name: name, project: set.lineage.project)
        let stored = set.frame.columns.enumerated().map { StoredColumn(name: set.frame.names[$0.offset], type: $0.element.type.rawValue) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let lineage = String(decoding: try encoder.encode(set.lineage), as: UTF8.self)
        let columns = String(decoding: try encoder.encode(stored), as: UTF8.self)
        try registry.connection.transaction { db in
            let existing = try db.execute(
                "SELECT 1 FROM strata_saved_sets WHERE project = $1 AND name = $2 FOR UPDATE",
                [.text(set.lineage.project), .text(name)])
            guard existing.rowCount == 0 else {
                throw OfflineError(.badOutput, "a training set named \(name) is already saved in project \(set.lineage.project); saved sets never change, so choose another name")
            }
            let id = try db.execute("SELECT nextval('strata_saved_set_ids')").int(0, 0)!
            let table = "strata_saved_set_\(id)"
            let rows = Frame(
                names: ["row_order"] + stored.indices.map { "c\($0)" },
                columns: [Column(int64: Array(0..<Int64(set.frame.rowCount)))] + set.frame.columns,
                rowCount: set.frame.rowCount)
            try TableWriter.write(rows, table: table, connection: db, inTransaction: true)
            try db.execute(
                "INSERT INTO strata_saved_sets (project, name, lineage, columns, data_table) VALUES ($1, $2, $3::jsonb, $4::jsonb, $5)",
                [.text(set.lineage.project), .text(name), .text(lineage), .text(columns), .text(table)])
        }
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

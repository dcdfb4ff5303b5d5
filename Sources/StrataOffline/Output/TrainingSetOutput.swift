import StrataColumnar
import StrataPostgres
import StrataRegistry

/// Where a training set is written: a CSV file or a new PostgreSQL table (`pg:TABLE`).
public enum TrainingSetOutput: Sendable, Hashable, CustomStringConvertible {
    case csv(path: String)
    case table(String)

    /// Reads a command-line argument: `pg:TABLE` is a table, anything else a CSV file path, whose name
    /// ends in `.csv` or has no extension (a name such as `set.parquet` would otherwise be written as CSV).
    public init(argument: String) throws {
        if argument.hasPrefix("pg:") {
            let name = String(argument.dropFirst(3))
            guard (try? SQLIdentifier.quoteQualified(name)) != nil else {
                throw OfflineError(.badOutput, "output table '\(name)' is not a valid table name (expected pg:table or pg:schema.table)")
            }
            self = .table(name)
        } else {
            guard !argument.isEmpty else { throw OfflineError(.badOutput, "the output path is empty") }
            let name = argument.split(separator: "/", omittingEmptySubsequences: false).last ?? ""
            if let dot = name.lastIndex(of: "."), dot != name.startIndex, name[name.index(after: dot)...].lowercased() != "csv" {
                throw OfflineError(
                    .badOutput,
                    "output '\(argument)' has the extension '\(name[name.index(after: dot)...])'; expected a .csv file or pg:TABLE "
                        + "(Strata writes CSV only)")
            }
            self = .csv(path: argument)
        }
    }

    public var description: String {
        switch self {
        case .csv(let path): path
        case .table(let name): "pg:\(name)"
        }
    }

    /// Writes `frame`; all or nothing. A table must not exist yet.
    public func write(_ frame: Frame, connection: PostgresConnection?) throws {
        switch self {
        case .csv(let path):
            try CSVWriter.write(frame, to: path)
        case .table(let name):
            guard let connection else { throw OfflineError(.badOutput, "a table output needs PostgreSQL") }
            try TableWriter.write(frame, table: name, connection: connection)
        }
    }
}

extension TrainingSetOutput {
    /// Writes `set` and, with `name`, saves it under that name too, all or nothing: a table output and the
    /// saved set are written in one transaction; a CSV file is written completely beside its path, the saved
    /// set committed, and the file moved into place under `PartialFile`'s lock (if the move fails, the saved
    /// set is removed again). A failure leaves neither the output nor the saved set.
    public func write(_ set: TrainingSet, savingAs name: String?, registry: Registry) throws {
        guard let name else {
            try write(set.frame, connection: registry.connection)
            return
        }
        let saved = SavedTrainingSets(registry: registry)
        try saved.checkAvailable(name: name, project: set.lineage.project)
        switch self {
        case .table(let table):
            try registry.connection.transaction { db in
                try saved.insert(set, name: name, connection: db)
                try TableWriter.write(set.frame, table: table, connection: db, inTransaction: true)
            }
        case .csv(let path):
            let partial = try CSVWriter.writePartial(set.frame, for: path)
            var committed = false
            do {
                try registry.connection.transaction(committing: { commit in
                    try partial.moveIntoPlace {
                        try commit()
                        committed = true
                    }
                }) { db in
                    try saved.insert(set, name: name, connection: db)
                }
            } catch {
                partial.remove()
                if committed { try? saved.remove(name: name, project: set.lineage.project) }
                throw error
            }
        }
    }
}

/// Writes a frame into a new table in one transaction: CREATE TABLE, then binary COPY.
public enum TableWriter {
    /// The SQL type that holds a column type.
    public static func sqlType(_ type: ColumnType) -> String {
        WireType.carrying(type).sqlName
    }

    /// Creates `table` with `frame`'s columns and fills it; fails, writing nothing, if it exists.
    /// With `inTransaction`, the caller's open transaction makes it atomic.
    public static func write(
        _ frame: Frame, table: String, columnNames: [String]? = nil, connection: PostgresConnection,
        inTransaction: Bool = false
    ) throws {
        let names = columnNames ?? frame.names
        let quotedTable = try SQLIdentifier.quoteQualified(table)
        let definitions = try zip(names, frame.columns).map { name, column in
            do {
                return "\(try SQLIdentifier.quote(name)) \(sqlType(column.type))"
            } catch {
                throw OfflineError(
                    .badOutput, "column '\(name)' cannot be a column of table \(table) (expected a SQL identifier)")
            }
        }
        if inTransaction {
            try create()
        } else {
            try connection.transaction { _ in try create() }
        }
        func create() throws {
            let exists = try connection.execute("SELECT to_regclass($1) IS NOT NULL", [.text(quotedTable)])
            if exists.bool(0, 0) == true {
                throw OfflineError(.badOutput, "table \(table) already exists; choose another name or drop it first")
            }
            try connection.execute("CREATE TABLE \(quotedTable) (\(definitions.joined(separator: ", ")))")
            try connection.copyIn(table: table, columnNames: names, columns: frame.columns)
        }
    }
}

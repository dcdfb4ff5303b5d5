import Foundation
import StrataColumnar
import StrataCore
import StrataPostgres

/// Loads a spine into a `Frame`: the join keys typed as their entities, `event_timestamp` as a
/// timestamp, and every other column passed through unchanged.
public enum SpineLoader {
    /// The name of the spine's timestamp column.
    public static let timestampColumn = "event_timestamp"

    /// Loads `source`, checking that it has `event_timestamp` and every key of `keys` with a fitting type.
    public static func load(
        _ source: SpineSource, keys: [(name: String, type: JoinKeyType)], connection: PostgresConnection?
    ) throws -> Frame {
        switch source {
        case .csv(let path):
            return try fromCSV(try CSVReader(path: path), keys: keys)
        case .table(let name):
            guard let connection else { throw OfflineError(.badSpine, "a table spine needs PostgreSQL") }
            let quoted: String
            do { quoted = try SQLIdentifier.quoteQualified(name) } catch {
                throw OfflineError(.badSpine, "spine '\(name)' is neither a CSV file, a query nor a valid table name")
            }
            return try fromQuery("SELECT * FROM \(quoted)", described: "table \(name)", keys: keys, connection: connection)
        case .query(let sql):
            guard let connection else { throw OfflineError(.badSpine, "a query spine needs PostgreSQL") }
            return try fromQuery(sql, described: "query", keys: keys, connection: connection)
        }
    }

    static func fromQuery(
        _ sql: String, described: String, keys: [(name: String, type: JoinKeyType)], connection: PostgresConnection
    ) throws -> Frame {
        let prefix = "SELECT * FROM ("
        let shape: PostgresResult
        do {
            shape = try connection.execute(prefix + sql + ") AS spine LIMIT 0")
        } catch let error as PostgresError where !error.isUnreachable {
            throw OfflineError(.badSpine, "the spine \(described) failed: \(explained(error, in: sql, after: prefix))")
        }
        let names = shape.columnNames
        let types = shape.columnTypeNames
        let byName = Dictionary(zip(names, types), uniquingKeysWith: { a, _ in a })
        guard Set(names).count == names.count else {
            throw OfflineError(.badSpine, "the spine \(described) has duplicate column names: \(names.joined(separator: ", "))")
        }
        try checkColumns(present: names, types: byName, keys: keys, described: described)
        let keyTypes = Dictionary(keys.map { ($0.name, $0.type) }, uniquingKeysWith: { a, _ in a })
        var selects: [String] = []
        var copyColumns: [CopyColumn] = []
        for (name, type) in zip(names, types) {
            let quoted = try SQLIdentifier.quote(name)
            let column: CopyColumn
            if let keyType = keyTypes[name] {
                column = CopyColumn(keyType == .int64 ? .int64 : .string)
            } else if name == timestampColumn {
                column = CopyColumn(.timestamp)
            } else {
                column = passThrough(type)
            }
            selects.append("\(quoted)::\(column.wire.sqlName)")
            copyColumns.append(column)
        }
        let columns = try connection.copyOut(
            query: "SELECT \(selects.joined(separator: ", ")) FROM (\(sql)) AS spine", columns: copyColumns)
        let frame = Frame(names: names, columns: columns)
        try checkTimestamps(frame, where: { "row \($0 + 1) of the spine \(described)" })
        return frame
    }

    /// The server's message for an error in the statement that wrapped `sql` after `prefix`, its position
    /// (1-based, in characters) told in the user's own text: line, column and the text there, or its end.
    static func explained(_ error: PostgresError, in sql: String, after prefix: String) -> String {
        guard let position = error.position else { return error.message }
        // PostgreSQL counts characters as code points, as `unicodeScalars` does.
        let scalars = Array(sql.unicodeScalars)
        let offset = position - 1 - prefix.unicodeScalars.count
        guard offset >= 0 else { return error.message }
        // Past the user's text the server points into the wrapper ("near \")\""): the query ended too soon.
        guard offset < scalars.count else { return "\(error.message.prefix { $0 != "\"" }.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: " at or near", with: "")) at the end of the query: it is incomplete" }
        let before = scalars[..<offset]
        let line = before.filter { $0 == "\n" }.count + 1
        let column = offset - (before.lastIndex(of: "\n").map { $0 + 1 } ?? 0) + 1
        var excerpt = String.UnicodeScalarView()
        excerpt.append(contentsOf: scalars[offset...].prefix { $0 != "\n" }.prefix(30))
        return "\(error.message) (line \(line), column \(column) of the query: '\(String(excerpt))')"
    }

    static func passThrough(_ pgType: String) -> CopyColumn {
        switch pgType {
        case "int8": CopyColumn(.int64)
        case "int4", "int2": CopyColumn(.int32)
        case "float8": CopyColumn(.float64)
        case "float4": CopyColumn(.float32)
        case "bool": CopyColumn(.bool)
        case "timestamptz", "timestamp": CopyColumn(.timestamp)
        default: CopyColumn(.string)
        }
    }

    static func checkColumns(
        present names: [String], types: [String: String], keys: [(name: String, type: JoinKeyType)], described: String
    ) throws {
        guard let tsType = types[timestampColumn] else {
            throw OfflineError(
                .badSpine, "the spine \(described) has no \(timestampColumn) column (its columns: \(names.joined(separator: ", ")))")
        }
        guard ["timestamptz", "timestamp", "date"].contains(tsType) else {
            throw OfflineError(.badSpine, "the spine's \(timestampColumn) is \(tsType); expected timestamptz, timestamp or date")
        }
        for key in keys {
            guard let type = types[key.name] else {
                throw OfflineError(
                    .badSpine,
                    "the spine \(described) has no join-key column \(key.name), which the requested features need (its columns: \(names.joined(separator: ", ")))")
            }
            let fits = key.type == .int64 ? ["int2", "int4", "int8"].contains(type) : ["text", "varchar", "bpchar", "name"].contains(type)
            guard fits else {
                throw OfflineError(
                    .badSpine, "the spine's join key \(key.name) is \(type); its entity's key type is \(key.type.rawValue)")
            }
        }
    }

    /// Rejects null and infinite spine times: a training row is a point in time.
    static func checkTimestamps(_ frame: Frame, where describe: (Int) -> String) throws {
        guard let ts = frame[timestampColumn] else { return }
        if ts.nullCount > 0, let row = (0..<ts.count).first(where: { ts.isNull($0) }) {
            throw OfflineError(.badSpine, "\(describe(row)) has a null \(timestampColumn)")
        }
        if let row = ts.timestampValues.firstIndex(where: { $0 == .max || $0 == .min }) {
            throw OfflineError(
                .badSpine,
                "\(describe(row)) has \(timestampColumn) \(UTCTimestamp.format(ts.timestampValues[row])); "
                    + "expected a finite time (PostgreSQL's timestamps after 294247-01-10 count as infinity)")
        }
    }

    /// Reads a CSV spine record by record into typed columns: join keys as their entities' types,
    /// `event_timestamp` as a time, every other column as text.
    /// - Complexity: O(file size) time; memory holds the typed columns and one chunk of the file.
    static func fromCSV(_ reader: CSVReader, keys: [(name: String, type: JoinKeyType)]) throws -> Frame {
        let header = reader.header
        let file = reader.file
        let types = Dictionary(header.map { ($0, "text") }, uniquingKeysWith: { a, _ in a })
        var typed = types
        typed[timestampColumn] = types[timestampColumn] == nil ? nil : "timestamptz"
        for key in keys where types[key.name] != nil { typed[key.name] = key.type == .int64 ? "int8" : "text" }
        guard Set(header).count == header.count else {
            throw OfflineError(.badSpine, "\(file): duplicate column names in the header")
        }
        try checkColumns(present: header, types: typed, keys: keys, described: file)
        let keyTypes = Dictionary(keys.map { ($0.name, $0.type) }, uniquingKeysWith: { a, _ in a })
        enum Kind { case int64, timestamp, text }
        let kinds: [Kind] = header.map { name in
            keyTypes[name] == .int64 ? .int64 : name == timestampColumn ? .timestamp : .text
        }
        var builders = kinds.map { ColumnBuilder(type: $0 == .int64 ? .int64 : $0 == .timestamp ? .timestamp : .string) }
        var record = CSVRecord()
        var rows = 0
        while try reader.next(&record) {
            for (c, kind) in kinds.enumerated() {
                switch kind {
                case .int64:
                    if record.isNull(c) {
                        builders[c].appendNull()
                    } else if let value = record.int64(c) {
                        builders[c].append(value)
                    } else {
                        throw OfflineError(.badSpine, "\(file):\(record.line): \(header[c]) '\(record.string(c) ?? "")' is not an int64")
                    }
                case .timestamp:
                    guard let value = record.timestamp(c) else {
                        throw OfflineError(
                            .badSpine,
                            "\(file):\(record.line): \(timestampColumn) '\(record.string(c) ?? "")' is not an ISO-8601 timestamp (e.g. 2026-01-31T12:00:00Z)")
                    }
                    builders[c].appendTimestamp(value)
                case .text:
                    record.appendString(c, to: &builders[c])
                }
            }
            rows += 1
        }
        return Frame(names: header, columns: builders.map { $0.finish() }, rowCount: rows)
    }
}

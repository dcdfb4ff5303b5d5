import StrataColumnar
import StrataCore
import StrataPostgres

/// Reads the served-feature log of `strata serve` (table `strata_served_features`, migration 008,
/// docs/served-feature-log.md) into columns by one binary COPY.
///
/// This is the one place that knows the table's layout: monitoring reads the log only through
/// `read`, so a change of layout changes this file and nothing else.
struct ServedFeatureLogReader {
    /// The feature to read and the type the registry declares for it.
    typealias Feature = (reference: FeatureReference, type: ValueType)
    /// A join key to read and its entity's type.
    typealias Key = (name: String, type: JoinKeyType)

    static let table = "strata_served_features"

    let connection: PostgresConnection

    /// The log rows of `project` served in `[from, to)` (µs, UTC): each feature's value, cast to its
    /// declared type, and its status; with `replayKeys`, also the request id, row index, `as_of` and
    /// those join keys. Rows come in no particular order.
    /// - Throws: `MonitoringError.badInput` when a logged value does not parse as its declared type
    ///   (a feature retyped since it was served), `PostgresError` for the database.
    /// - Complexity: one binary COPY; PostgreSQL parses each JSON column once per feature, or once
    ///   for all of them when more than two are read.
    func read(project: String, from: Int64, to: Int64, features: [Feature], replayKeys: [Key]?) throws -> ServedRows {
        var selects: [String] = []
        var copyColumns: [CopyColumn] = []
        var lateral: [String] = []
        if let replayKeys {
            selects += ["log.request_id", "log.row_index", "log.as_of"]
            copyColumns += [CopyColumn(.string), CopyColumn(.int32), CopyColumn(.timestamp)]
            let keyTypes = replayKeys.map { CopyColumn($0.type == .int64 ? .int64 : .string) }
            let (from, columns) = try Self.extract(
                "log.entities", alias: "k", names: replayKeys.map(\.name), wires: keyTypes.map(\.wire))
            lateral += from
            selects += columns
            copyColumns += keyTypes
        }
        let valueTypes = features.map { CopyColumn(ColumnType($0.type)) }
        let names = features.map(\.reference.description)
        let (valueFrom, values) = try Self.extract("log.features", alias: "v", names: names, wires: valueTypes.map(\.wire))
        let (statusFrom, statuses) = try Self.extract(
            "log.statuses", alias: "s", names: names, wires: Array(repeating: .text, count: names.count))
        lateral += valueFrom + statusFrom
        for index in features.indices {
            selects += [values[index], statuses[index]]
            copyColumns += [valueTypes[index], CopyColumn(.string)]
        }
        // COPY takes no parameters: the bounds are timestamps Strata formats itself, the project a literal.
        let sql = """
            SELECT \(selects.joined(separator: ", "))
            FROM \(Self.table) AS log\(lateral.map { " CROSS JOIN LATERAL \($0)" }.joined())
            WHERE log.served_at >= '\(UTCTimestamp.format(from))'::timestamptz AND log.served_at < '\(UTCTimestamp.format(to))'::timestamptz
              AND log.project = \(SQLIdentifier.literal(project))
            """
        let columns: [Column]
        do {
            columns = try connection.copyOut(query: sql, columns: copyColumns)
        } catch let error as PostgresError where error.sqlState?.hasPrefix("22") == true {
            throw MonitoringError(
                .badInput,
                "the served-feature log holds a value that does not read as the type the registry declares for it "
                    + "(\(zip(names, features).map { "\($0) \($1.type.rawValue)" }.joined(separator: ", "))): \(error.message); "
                    + "was a feature's type changed after it was served? Choose a window served under the current types")
        }
        var next = 0
        var origin: ServedRows.Origin?
        if let replayKeys {
            origin = ServedRows.Origin(
                requestIDs: columns[0], rowIndexes: columns[1], asOf: columns[2], keyNames: replayKeys.map(\.name),
                keys: Array(columns[3..<(3 + replayKeys.count)]))
            next = 3 + replayKeys.count
        }
        var valueColumns: [Column] = []
        var statusArrays: [[ServedStatus]] = []
        for reference in features.map(\.reference) {
            let (decoded, unknown) = ServedStatus.decode(columns[next + 1])
            if let unknown {
                throw MonitoringError(
                    .badInput,
                    "the served-feature log gives feature \(reference) the status '\(columns[next + 1].string(at: unknown) ?? "")', "
                        + "which is none of PRESENT, NULL_VALUE, NOT_FOUND, OUTSIDE_MAX_AGE")
            }
            valueColumns.append(columns[next])
            statusArrays.append(decoded)
            next += 2
        }
        return ServedRows(
            count: columns.first?.count ?? 0, references: features.map(\.reference), values: valueColumns, statuses: statusArrays,
            origin: origin)
    }

    /// The select expressions reading the members `names` of the json column `json`, cast to
    /// `wires`, and the lateral items they need: `->>` per member for one or two (each parses the
    /// JSON once), one `json_to_record` for more (one parse for all, at about twice the cost of one `->>`).
    static func extract(_ json: String, alias: String, names: [String], wires: [WireType]) throws -> (from: [String], selects: [String]) {
        guard names.count > 2 else {
            return ([], zip(names, wires).map { "(\(json)->>\(SQLIdentifier.literal($0)))::\($1.sqlName)" })
        }
        let quoted = try names.map(quotedMember)
        let record = zip(quoted, wires).map { "\($0) \($1.sqlName)" }.joined(separator: ", ")
        return (["json_to_record(\(json)) AS \(alias)(\(record))"], quoted.map { "\(alias).\($0)" })
    }

    /// A member name (`view:feature` or a join key) as a quoted SQL column name: each part is a
    /// validated identifier, so the colon is the only character that needs the quotes.
    static func quotedMember(_ name: String) throws -> String {
        for part in name.split(separator: ":", omittingEmptySubsequences: false) {
            guard SQLIdentifier.isValid(String(part)) else {
                throw MonitoringError(.badInput, "'\(name)' is not a feature reference or join key Strata logs (expected view:feature)")
            }
        }
        return "\"\(name)\""
    }
}

import StrataColumnar
import StrataCore
import StrataOffline
import StrataPostgres
import StrataRegistry

/// Reads drift windows into columns: queries, time windows and saved sets by binary COPY over one
/// connection (never row by row), CSV files from disk.
struct DriftInputReader {
    /// The registry on the connection this reader uses; nil when no PostgreSQL is needed.
    let registry: Registry?
    /// The project saved sets are looked up in (nil: any).
    let project: String?

    private var connection: PostgresConnection? { registry?.connection }

    private func requireConnection(_ input: DriftInput) throws -> PostgresConnection {
        guard let connection else {
            throw MonitoringError(.badInput, "reading \(input) needs PostgreSQL (set STRATA_POSTGRES_URL or pass --postgres)")
        }
        return connection
    }

    /// The column names an input offers, read without its rows: a query's result columns, a CSV
    /// header, a saved set's feature columns.
    func columnNames(_ input: DriftInput) throws -> [String] {
        switch input {
        case .query(let sql):
            return try shape(of: sql, input: input).map(\.name)
        case .csv(let path):
            return try CSVColumns.header(path)
        case .saved(let name):
            return try savedFeatures(name).map(\.columnName)
        case .window, .served:
            return []
        }
    }

    /// The feature references a saved set was built with.
    func savedFeatures(_ name: String) throws -> [FeatureReference] {
        guard let registry else { throw MonitoringError(.badInput, "saved:\(name) needs PostgreSQL (set STRATA_POSTGRES_URL or pass --postgres)") }
        guard let summary = try SavedTrainingSets(registry: registry).list(project: project).first(where: { $0.name == name }) else {
            throw MonitoringError(.notFound, "no saved training set named \(name)\(project.map { " in project \($0)" } ?? "")")
        }
        return summary.lineage.features.compactMap(FeatureReference.init(parsing:))
    }

    /// The columns `wanted` of a query, CSV file or saved set, in that order; a CSV column whose
    /// name is in `declared` is read as that type, the others are inferred as pandas would.
    /// - Complexity: one binary COPY of the wanted columns only.
    func read(_ input: DriftInput, columns wanted: [String], declared: [String: ValueType]) throws -> WindowData {
        switch input {
        case .query(let sql):
            let connection = try requireConnection(input)
            let types = Dictionary(try shape(of: sql, input: input).map { ($0.name, $0.type) }, uniquingKeysWith: { a, _ in a })
            var selects: [String] = []
            var copyColumns: [CopyColumn] = []
            for name in wanted {
                let column = Self.copyColumn(forPostgresType: types[name] ?? "text")
                selects.append("\(try SQLIdentifier.quote(name))::\(column.wire.sqlName)")
                copyColumns.append(column)
            }
            let query = "SELECT \(selects.joined(separator: ", ")) FROM (\(Self.trimmed(sql))) AS drift_input"
            let columns = try connection.copyOut(query: query, columns: copyColumns, capacity: try estimatedRows(query, connection))
            return WindowData(names: wanted, columns: columns)
        case .csv(let path):
            return WindowData(names: wanted, columns: try CSVColumns.read(try CSVReader(path: path), columns: wanted, declared: declared))
        case .saved(let name):
            guard let registry else { throw MonitoringError(.badInput, "saved:\(name) needs PostgreSQL (set STRATA_POSTGRES_URL or pass --postgres)") }
            let set = try SavedTrainingSets(registry: registry).load(name: name, project: project)
            let columns = try wanted.map { column -> Column in
                guard let values = set.frame[column] else {
                    throw MonitoringError(.missingColumn, "saved set \(name) has no column \(column) (its columns: \(set.frame.names.joined(separator: ", ")))")
                }
                return values
            }
            return WindowData(names: wanted, columns: columns)
        case .window, .served:
            throw MonitoringError(.badInput, "\(input) is read per feature view, not by column")
        }
    }

    /// The selected features' source rows with event time in `[from, to)`, one binary COPY per
    /// view; columns are named by reference (`view:feature`). An aggregation view's values are those
    /// at each of its source's events in the window (the event's entity at the event's time), as a
    /// training set with those events as its spine would hold them.
    func readWindow(from: Int64, to: Int64, selection: FeatureSelection, input: DriftInput) throws -> WindowData {
        let connection = try requireConnection(input)
        var names: [String] = []
        var columns: [Column] = []
        for group in selection.groups {
            if group.view.isAggregation {
                names += group.features.map { FeatureReference(view: group.view.name, feature: $0.name).description }
                columns += try readAggregations(from: from, to: to, group: group, connection: connection)
                continue
            }
            let timestamp = try SQLIdentifier.quote(group.source.timestampColumn)
            var selects: [String] = []
            var copyColumns: [CopyColumn] = []
            for feature in group.features {
                let column = CopyColumn(ColumnType(feature.type))
                selects.append("\(try SQLIdentifier.quote(feature.name))::\(column.wire.sqlName)")
                copyColumns.append(column)
            }
            // COPY takes no parameters; the bounds are timestamps Strata formats itself.
            let sql = """
                SELECT \(selects.joined(separator: ", ")) FROM \(try SQLIdentifier.quoteQualified(group.source.table))
                WHERE \(timestamp) >= '\(UTCTimestamp.format(from))'::timestamptz AND \(timestamp) < '\(UTCTimestamp.format(to))'::timestamptz
                """
            let read = try connection.copyOut(query: sql, columns: copyColumns, capacity: try estimatedRows(sql, connection))
            names += group.features.map { FeatureReference(view: group.view.name, feature: $0.name).description }
            columns += read
        }
        return WindowData(names: names, columns: columns)
    }

    /// An aggregation view's requested features at each of its source's events in `[from, to)`: the
    /// events' keys and times read by one binary COPY as the spine of the tiled-window join.
    func readAggregations(from: Int64, to: Int64, group: FeatureSelection.ViewGroup, connection: PostgresConnection) throws -> [Column] {
        guard let registry else { throw MonitoringError(.badInput, "reading aggregation view \(group.view.name) needs the registry in PostgreSQL") }
        let keys = try group.joinKeys.map(SQLIdentifier.quote)
        let timestamp = try SQLIdentifier.quote(group.source.timestampColumn)
        var selects: [String] = []
        var copyColumns: [CopyColumn] = []
        for (key, entity) in zip(keys, group.entities) {
            let column = CopyColumn(entity.type == .int64 ? .int64 : .string)
            selects.append("\(key)::\(column.wire.sqlName)")
            copyColumns.append(column)
        }
        selects.append("\(timestamp)::\(CopyColumn(.timestamp).wire.sqlName)")
        copyColumns.append(CopyColumn(.timestamp))
        // COPY takes no parameters; the bounds are timestamps Strata formats itself.
        let sql = """
            SELECT \(selects.joined(separator: ", ")) FROM \(try SQLIdentifier.quoteQualified(group.source.table))
            WHERE \(keys.map { "\($0) IS NOT NULL" }.joined(separator: " AND "))
              AND \(timestamp) >= '\(UTCTimestamp.format(from))'::timestamptz AND \(timestamp) < '\(UTCTimestamp.format(to))'::timestamptz
            """
        let events = try connection.copyOut(query: sql, columns: copyColumns, capacity: try estimatedRows(sql, connection))
        let spine = Frame(names: group.joinKeys + [SpineLoader.timestampColumn], columns: events)
        let references = group.features.map { FeatureReference(view: group.view.name, feature: $0.name) }
        let repository = try registry.repository(project: try registry.resolveProject(project))
        let joined = try PointInTimeJoin(connection: connection).join(
            spine: spine, selection: try FeatureSelection.resolve(references, in: repository))
        return try references.map { reference in
            guard let column = joined[reference.columnName] else {
                throw MonitoringError(.missingColumn, "the tiled-window join returned no column \(reference.columnName)")
            }
            return column
        }
    }

    /// The selected features as served in `[from, to)` (the served-feature log of `project`), named
    /// by reference (`view:feature`): per feature, the rows whose request asked for it, null unless
    /// served `PRESENT`.
    /// - Complexity: one binary COPY of the log, then one pass per feature.
    func readServed(from: Int64, to: Int64, selection: FeatureSelection, project: String, input: DriftInput) throws -> WindowData {
        let connection = try requireConnection(input)
        var features: [ServedFeatureLogReader.Feature] = []
        for group in selection.groups {
            for feature in group.features { features.append((FeatureReference(view: group.view.name, feature: feature.name), feature.type)) }
        }
        let rows = try ServedFeatureLogReader(connection: connection).read(
            project: project, from: from, to: to, features: features, replayKeys: nil)
        let columns = zip(rows.values, rows.statuses).map { values, statuses in
            values.filter(mask: statuses.map { $0 != .absent })
        }
        return WindowData(names: features.map(\.reference.description), columns: columns)
    }

    /// Rows the planner expects `sql` to return, so that columns are allocated once instead of
    /// grown by doubling; 0 (grow as needed) when the estimate is missing or implausibly large.
    private func estimatedRows(_ sql: String, _ connection: PostgresConnection) throws -> Int {
        let plan = try connection.execute("EXPLAIN \(sql)")
        guard let line = plan.string(0, 0), let range = line.range(of: "rows=") else { return 0 }
        let digits = line[range.upperBound...].prefix { $0.isNumber }
        guard let rows = Int(digits), rows <= Self.largestReservation else { return 0 }
        return rows + rows / 16
    }

    /// The most rows reserved ahead on the planner's word (a bad estimate must not allocate gigabytes).
    static let largestReservation = 20_000_000

    /// A query's result columns and their PostgreSQL types, from running it with `LIMIT 0`.
    private func shape(of sql: String, input: DriftInput) throws -> [(name: String, type: String)] {
        let connection = try requireConnection(input)
        let result = try connection.execute("SELECT * FROM (\(Self.trimmed(sql))) AS drift_input LIMIT 0")
        let names = result.columnNames
        guard Set(names).count == names.count else {
            throw MonitoringError(.badInput, "the query \(input) returns duplicate column names: \(names.joined(separator: ", "))")
        }
        return Array(zip(names, result.columnTypeNames))
    }

    /// How a result column of PostgreSQL type `type` is copied: integers and floats as numbers
    /// (numeric as float64), booleans, times as timestamps, anything else as text.
    static func copyColumn(forPostgresType type: String) -> CopyColumn {
        switch type {
        case "int8": CopyColumn(.int64)
        case "int4", "int2": CopyColumn(.int32)
        case "float8", "float4": CopyColumn(.float64)
        case "numeric": CopyColumn(wire: .numeric, type: .float64)
        case "bool": CopyColumn(.bool)
        case "timestamptz", "timestamp", "date": CopyColumn(.timestamp)
        default: CopyColumn(.string)
        }
    }

    /// A query without trailing semicolons or space, to be wrapped as a subquery.
    static func trimmed(_ sql: String) -> String {
        var text = Substring(sql)
        while let last = text.last, last == ";" || last.isWhitespace { text = text.dropLast() }
        return String(text)
    }
}

import StrataColumnar
import StrataCore
import StrataPostgres

/// What a read of an aggregation view's source selects, as the offline join and materialisation both
/// need it: join keys, event timestamp, created timestamp (when the source has one), then one input
/// column per (column, reading) its aggregates need, each validated, quoted and cast; and the tile
/// layout of those aggregates.
public struct AggregationSelection: Sendable {
    /// The quoted join-key columns.
    public let keys: [String]
    /// The quoted event-timestamp column.
    public let timestamp: String
    /// Whether the select list carries a created timestamp after the event timestamp.
    public let hasCreated: Bool
    /// The quoted, schema-qualified table.
    public let table: String
    /// The select list, in the order above.
    public let list: String
    /// How each selected column arrives and is decoded.
    public let copyColumns: [CopyColumn]
    /// What the tiles hold, for `aggregations` in order.
    public let layout: TileLayout
    /// The aggregates, in the layout's order.
    public let aggregations: [Aggregation]

    /// How an input column is read.
    private enum Reading: Hashable {
        /// As float8: sums and double results.
        case number
        /// As int8.
        case integer
        case timestamp
        case bool
        /// As 1 or null, for a column only counted.
        case presence

        init(_ type: ValueType) {
            switch type {
            case .float64, .float32, .string: self = .number
            case .int64, .int32: self = .integer
            case .timestamp: self = .timestamp
            case .bool: self = .bool
            }
        }
    }

    /// The selection of `aggregations` (default: all) of aggregation view `view`.
    public init(source: Source, entities: [Entity], view: FeatureView, aggregations requested: [Aggregation]? = nil) throws {
        let aggregations = requested ?? view.aggregations ?? []
        var selects: [String] = []
        var columns: [CopyColumn] = []
        func select(_ expression: String, _ column: CopyColumn) {
            selects.append(expression)
            columns.append(column)
        }
        keys = try entities.map { try SQLIdentifier.quote($0.joinKey) }
        for (key, entity) in zip(keys, entities) {
            let column = CopyColumn(entity.type == .int64 ? .int64 : .string)
            select("\(key)::\(column.wire.sqlName)", column)
        }
        timestamp = try SQLIdentifier.quote(source.timestampColumn)
        select("\(timestamp)::\(CopyColumn(.timestamp).wire.sqlName)", CopyColumn(.timestamp))
        if let created = source.createdTimestampColumn {
            select("\(try SQLIdentifier.quote(created))::\(CopyColumn(.timestamp).wire.sqlName)", CopyColumn(.timestamp))
        }
        hasCreated = source.createdTimestampColumn != nil
        // Counted columns come last, so that they share an input another aggregate already reads.
        var inputs: [(column: String, reading: Reading)] = []
        var inputOf = [Int?](repeating: nil, count: aggregations.count)
        let order = aggregations.indices.filter { aggregations[$0].function != .count }
            + aggregations.indices.filter { aggregations[$0].function == .count }
        for a in order where !aggregations[a].countsEvents {
            let aggregation = aggregations[a]
            let reading: Reading = switch aggregation.function {
            case .count: inputs.first { $0.column == aggregation.column }?.reading ?? .presence
            case .sum, .mean, .stddev: .number
            case .min, .max, .last: Reading(aggregation.type)
            }
            if let existing = inputs.firstIndex(where: { $0 == (aggregation.column, reading) }) {
                inputOf[a] = existing
            } else {
                inputOf[a] = inputs.count
                inputs.append((aggregation.column, reading))
            }
        }
        var kinds: [TileLayout.ValueKind] = []
        for input in inputs {
            let quoted = try SQLIdentifier.quote(input.column)
            switch input.reading {
            case .number: select("\(quoted)::float8", CopyColumn(.float64))
            case .integer: select("\(quoted)::int8", CopyColumn(.int64))
            case .timestamp: select("\(quoted)::\(CopyColumn(.timestamp).wire.sqlName)", CopyColumn(.timestamp))
            case .bool: select("\(quoted)::bool", CopyColumn(.bool))
            case .presence: select("(CASE WHEN \(quoted) IS NULL THEN NULL ELSE 1 END)::int8", CopyColumn(.int64))
            }
            kinds.append(input.reading == .number ? .double : .integer)
        }
        let micros = UTCTimestamp.microsPerSecond
        layout = TileLayout(
            hop: (view.hopSeconds ?? 1) * micros, inputKinds: kinds,
            aggregations: aggregations.indices.map { a in
                TiledAggregation(
                    function: aggregations[a].function, input: inputOf[a], window: aggregations[a].windowSeconds * micros,
                    output: ColumnType(aggregations[a].type))
            })
        self.aggregations = aggregations
        table = try SQLIdentifier.quoteQualified(source.table)
        list = selects.joined(separator: ", ")
        copyColumns = columns
    }

    /// The position of the first input column in a selected row.
    public var firstInput: Int { keys.count + (hasCreated ? 2 : 1) }
}

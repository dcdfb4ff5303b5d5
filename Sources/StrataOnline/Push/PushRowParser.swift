import StrataColumnar
import StrataCore
import StrataOffline

/// Turns the records of a push (a CSV file's or a request body's) into typed columns of one view,
/// record by record, checking every field; `finish` hands over what was parsed and starts afresh, so
/// that a large file is parsed in batches of bounded size.
struct PushRowParser {
    let view: OnlineView
    let file: String
    let header: [String]
    let now: Int64
    private let keyPositions: [Int]
    private let keyTypes: [ColumnType]
    private let eventPosition: Int
    private let createdPosition: Int?
    private let featurePositions: [Int]
    private let featureTypes: [ColumnType]
    private var keys: [ColumnBuilder] = []
    private var event: [Int64] = []
    private var created: [Int64] = []
    private var features: [ColumnBuilder] = []

    /// A parser of records with columns `header`: the view's join keys, the source's event-timestamp
    /// column (or `event_timestamp`), optionally its created-timestamp column (default: `now`, µs), and
    /// every feature.
    /// - Throws: `OnlineError.badInput` naming `file:1` for an unknown or a missing column.
    init(view: OnlineView, header: [String], file: String, now: Int64) throws {
        self.view = view
        self.file = file
        self.header = header
        self.now = now
        let keys = view.joinKeys
        let ts = view.source.timestampColumn
        let created = view.source.createdTimestampColumn
        var index: [String: Int] = [:]
        for (position, name) in header.enumerated() { index[name] = position }
        let columns = OnlinePush(view: view).pushedColumns
        let expected = (keys + [ts] + (created.map { ["\($0) (optional)"] } ?? []) + columns.map(\.name))
            .joined(separator: ", ")
        for name in header {
            let known = keys.contains(name) || name == ts || name == created || name == "event_timestamp"
                || columns.contains { $0.name == name }
            guard known else {
                throw OnlineError(
                    .badInput, "\(file):1: column '\(name)' is not a column of feature view \(view.view.name) (expected: \(expected))")
            }
        }
        func position(_ name: String) throws -> Int {
            guard let found = index[name] else {
                throw OnlineError(.badInput, "\(file):1: the header has no column '\(name)' (expected: \(expected))")
            }
            return found
        }
        eventPosition = try index[ts] ?? position("event_timestamp")
        keyPositions = try view.entities.map { try position($0.joinKey) }
        keyTypes = view.keyColumnTypes
        createdPosition = created.flatMap { index[$0] }
        featurePositions = try columns.map { try position($0.name) }
        featureTypes = columns.map(\.type)
        startBatch()
    }

    /// The rows parsed since the last `finish`.
    var count: Int { event.count }
    /// The bytes of the fields parsed since the last `finish`.
    private(set) var bytes = 0

    /// Parses one record.
    /// - Throws: `OnlineError.badInput` naming `file:line`, the column and the value.
    mutating func append(_ record: CSVRecord) throws {
        for (k, position) in keyPositions.enumerated() {
            try append(record, position, type: keyTypes[k], nullable: false, to: &keys[k])
        }
        guard let time = try timestamp(record, eventPosition, nullable: false) else { return }
        if let createdPosition {
            created.append(try timestamp(record, createdPosition, nullable: true) ?? OnlineRecord.noCreated)
        } else {
            created.append(now)
        }
        for (f, position) in featurePositions.enumerated() {
            try append(record, position, type: featureTypes[f], nullable: true, to: &features[f])
        }
        event.append(time)
        bytes += record.byteCount
    }

    /// The rows parsed since the last `finish`; the parser starts a new batch.
    mutating func finish() -> OnlinePush.Rows {
        let rows = OnlinePush.Rows(keys: keys.map { $0.finish() }, event: event, created: created, features: features.map { $0.finish() })
        startBatch()
        return rows
    }

    private mutating func startBatch() {
        keys = keyTypes.map { ColumnBuilder(type: $0) }
        features = featureTypes.map { ColumnBuilder(type: $0) }
        event = []
        created = []
        bytes = 0
    }

    private func timestamp(_ record: CSVRecord, _ c: Int, nullable: Bool) throws -> Int64? {
        if record.isNull(c) {
            guard nullable else { throw empty(record, c) }
            return nil
        }
        guard let value = record.timestamp(c) else {
            throw OnlineError(
                .badInput,
                "\(file):\(record.line): column \(header[c]): '\(record.string(c) ?? "")' is not an ISO-8601 timestamp (e.g. 2026-01-31T12:00:00Z)")
        }
        return value
    }

    private func empty(_ record: CSVRecord, _ c: Int) -> OnlineError {
        OnlineError(.badInput, "\(file):\(record.line): column \(header[c]) is empty; a value is required")
    }

    private func append(_ record: CSVRecord, _ c: Int, type: ColumnType, nullable: Bool, to builder: inout ColumnBuilder) throws {
        if record.isNull(c) {
            guard nullable else { throw empty(record, c) }
            builder.appendNull()
            return
        }
        let name = header[c]
        func bad() -> OnlineError {
            OnlineError(.badInput, "\(file):\(record.line): column \(name): '\(record.string(c) ?? "")' is not a \(type.rawValue)")
        }
        // NaN and ±Infinity (or a literal too large for the type) are refused, so that what a push
        // stores reads back the same online, in training sets and in the source table.
        func nonFinite() -> OnlineError {
            OnlineError(
                .badInput,
                "\(file):\(record.line): column \(name) (field \(c + 1)): '\(record.string(c) ?? "")' is not a finite \(type.rawValue); "
                    + "push accepts finite numbers only (leave the field empty for null)")
        }
        switch type {
        case .int64:
            guard let v = record.int64(c) else { throw bad() }
            builder.append(v)
        case .int32:
            guard let v = record.int64(c), let narrow = Int32(exactly: v) else { throw bad() }
            builder.append(narrow)
        case .float64:
            guard let v = record.trimmedString(c).flatMap(Double.init) else { throw bad() }
            guard v.isFinite else { throw nonFinite() }
            builder.append(v)
        case .float32:
            guard let v = record.trimmedString(c).flatMap(Float.init) else { throw bad() }
            guard v.isFinite else { throw nonFinite() }
            builder.append(v)
        case .bool:
            switch record.trimmedString(c)?.lowercased() {
            case "true", "t", "1": builder.append(true)
            case "false", "f", "0": builder.append(false)
            default: throw bad()
            }
        case .timestamp:
            guard let v = try timestamp(record, c, nullable: false) else { throw bad() }
            builder.appendTimestamp(v)
        case .string:
            record.appendString(c, to: &builder)
        }
    }
}

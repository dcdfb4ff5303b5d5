import StrataOffline

/// A `POST /push` body (`{"push_source_name", "df": {column: [values]}, "to": "online" | "offline" |
/// "online_and_offline"}`) or a `POST /write-to-online-store` body (`{"feature_view_name", "df"}`), as
/// Feast's SDK sends them. Unknown members are ignored.
///
/// The rows become text records, so that `OnlinePush.parse` checks them exactly as it checks a CSV file
/// given to `strata push`, naming the column, row and value of a bad one.
struct PushRequest {
    /// The feature view, or the source whose views receive the rows.
    let target: String
    /// The column names.
    private(set) var header: [String]
    /// The rows, as text; nil is null.
    private(set) var records: [[String?]]
    /// Whether to write the online store.
    let online: Bool
    /// Whether to append to the source table.
    let offline: Bool

    /// Reads a body whose target is named by member `targetKey`, with at most `maxRows` rows.
    /// - Throws: `ServerError` naming the member and value when one is missing or malformed.
    init(_ body: JSONValue, targetKey: String, maxRows: Int) throws(ServerError) {
        guard case .object = body else {
            throw ServerError.badRequest("the body is \(body.typeName); expected a JSON object")
        }
        guard let target = body[targetKey]?.string, !target.isEmpty else {
            throw ServerError.badRequest(
                "\(targetKey) is \(body[targetKey]?.excerpt ?? "missing"); expected the name of a feature view as a string")
        }
        self.target = target
        switch body["to"] {
        case nil, .null?, .string("online")?: (online, offline) = (true, false)
        case .string("offline")?: (online, offline) = (false, true)
        case .string("online_and_offline")?: (online, offline) = (true, true)
        case let other?:
            throw ServerError.badRequest("to is \(other.excerpt); expected \"online\", \"offline\" or \"online_and_offline\"")
        }
        guard case .object(let columns)? = body["df"] else {
            throw ServerError.badRequest(
                "df is \(body["df"]?.excerpt ?? "missing"); expected an object of column names to arrays of values")
        }
        var header: [String] = []
        var lists: [[JSONValue]] = []
        for column in columns {
            guard case .array(let values) = column.value else {
                throw ServerError.badRequest("df.\(column.key) is \(column.value.excerpt); expected an array of values")
            }
            if let first = lists.first, first.count != values.count {
                throw ServerError.badRequest(
                    "df.\(column.key) has \(values.count) values but df.\(header[0]) has \(first.count); every column needs one value per row")
            }
            if let index = header.firstIndex(of: column.key) {
                lists[index] = values
            } else {
                header.append(column.key)
                lists.append(values)
            }
        }
        let rowCount = lists.first?.count ?? 0
        guard rowCount > 0 else { throw ServerError.badRequest("df has no rows; give each column an array of values") }
        guard rowCount <= maxRows else {
            throw ServerError(
                .contentTooLarge, .tooManyEntities,
                "df has \(rowCount) rows; this server takes at most \(maxRows) rows per request (--max-entities)")
        }
        var records = [[String?]](repeating: [], count: rowCount)
        for (c, values) in lists.enumerated() {
            for (r, value) in values.enumerated() {
                switch value {
                case .null: records[r].append(nil)
                case .string(let text): records[r].append(text)
                case .number(let text): records[r].append(String(text))
                case .bool(let flag): records[r].append(flag ? "true" : "false")
                case .array, .object:
                    throw ServerError.badRequest("df.\(header[c])[\(r)] is \(value.excerpt); expected a number, string, boolean or null")
                }
            }
        }
        self.header = header
        self.records = records
    }

    /// The table with column `from` renamed `to` (when it has `from` and not `to`), or dropped when
    /// `to` is nil.
    func renaming(_ from: String, to: String?) -> PushRequest {
        guard let index = header.firstIndex(of: from) else { return self }
        var copy = self
        if let to {
            if !header.contains(to) { copy.header[index] = to }
        } else {
            copy.header.remove(at: index)
            copy.records = records.map { var record = $0; record.remove(at: index); return record }
        }
        return copy
    }

    /// The rows as records for `OnlinePush.parse`, numbered from 0 as in `df`'s arrays.
    var csvRecords: [CSVRecord] {
        records.enumerated().map { CSVRecord(fields: $1, line: $0) }
    }
}

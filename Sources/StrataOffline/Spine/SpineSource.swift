import Foundation

/// Where a training set's spine comes from: a table, a query, or a CSV file.
public enum SpineSource: Sendable, Hashable, CustomStringConvertible {
    case table(String)
    case query(String)
    case csv(path: String)

    /// Reads a command-line argument: `*.csv` is a file, `SELECT …`/`WITH …` a query, else a table name.
    public init(argument: String) {
        let trimmed = argument.trimmingCharacters(in: .whitespacesAndNewlines)
        let lower = trimmed.lowercased()
        if lower.hasSuffix(".csv") {
            self = .csv(path: trimmed)
        } else if lower.hasPrefix("select") || lower.hasPrefix("with") || lower.hasPrefix("values")
            || lower.hasPrefix("(")
        {
            self = .query(trimmed)
        } else {
            self = .table(trimmed)
        }
    }

    /// The spine's definition as recorded in a saved set's lineage.
    public var description: String {
        switch self {
        case .table(let name): "table:\(name)"
        case .query(let sql): "query:\(sql)"
        case .csv(let path): "csv:\(path)"
        }
    }
}

/// A failure talking to PostgreSQL: what went wrong, where, and the server's own words.
public struct PostgresError: Error, Sendable, CustomStringConvertible {
    /// The broad kind of failure, which decides how callers react (exit 3 for unreachable, 2 for bad SQL).
    public enum Code: String, Sendable, Hashable {
        case badURL
        case connectionFailed
        case connectionLost
        case sqlError
        case copyFailed
        case typeMismatch
        case protocolError
    }

    public var code: Code
    public var message: String
    /// The SQLSTATE the server reported, e.g. `42P01` for an undefined table.
    public var sqlState: String?
    /// The statement that failed, when there was one.
    public var statement: String?
    /// The server's detail line, when it gave one.
    public var detail: String?
    /// The server's hint, when it gave one.
    public var hint: String?
    /// Where in `statement` the error is, as the server reports it: a 1-based index of characters.
    public var position: Int?

    public init(
        code: Code, message: String, sqlState: String? = nil, statement: String? = nil,
        detail: String? = nil, hint: String? = nil
    ) {
        self.code = code
        self.message = message
        self.sqlState = sqlState
        self.statement = statement
        self.detail = detail
        self.hint = hint
    }

    /// The SQLSTATE of a unique-constraint violation (`23505`).
    public static let uniqueViolation = "23505"

    /// Whether the server could not be reached or was lost mid-call.
    public var isUnreachable: Bool { code == .connectionFailed || code == .connectionLost }

    public var description: String {
        var text = message
        if let sqlState { text += " (SQLSTATE \(sqlState))" }
        if let detail, !detail.isEmpty { text += "\n  detail: \(detail)" }
        if let hint, !hint.isEmpty { text += "\n  hint: \(hint)" }
        if let statement {
            let shown = statement.count > 400 ? String(statement.prefix(400)) + "…" : statement
            text += "\n  statement: \(shown)"
        }
        return text
    }
}

/// A statement parameter, sent to the server in text form with the type left to the server.
public enum PostgresValue: Sendable, Hashable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
    case null
    case text(String)
    case int(Int64)
    case double(Double)
    case bool(Bool)

    public init(stringLiteral value: String) { self = .text(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }

    /// The value as libpq's text parameter format; nil for SQL NULL.
    var textForm: String? {
        switch self {
        case .null: nil
        case .text(let s): s
        case .int(let i): String(i)
        case .double(let d):
            if d.isNaN { "NaN" } else if d == .infinity { "Infinity" } else if d == -.infinity { "-Infinity" } else { "\(d)" }
        case .bool(let b): b ? "t" : "f"
        }
    }
}

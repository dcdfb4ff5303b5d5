/// One category's value, as it is shown and stored: a number, a bool or a string.
public enum CategoryLabel: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    case number(Double)
    case integer(Int64)
    case bool(Bool)
    case string(String)

    /// The order categories are compared in: numbers numerically, false before true, strings
    /// by their UTF-8 bytes (Python's order, which Evidently's Z-test sorts with).
    public static func < (a: CategoryLabel, b: CategoryLabel) -> Bool {
        switch (a, b) {
        case (.number(let x), .number(let y)): x < y
        case (.integer(let x), .integer(let y)): x < y
        case (.bool(let x), .bool(let y)): !x && y
        case (.string(let x), .string(let y)): x.utf8.lexicographicallyPrecedes(y.utf8)
        default: a.rank < b.rank
        }
    }

    private var rank: Int {
        switch self {
        case .bool: 0
        case .integer: 1
        case .number: 2
        case .string: 3
        }
    }

    public var description: String {
        switch self {
        case .number(let x): x == x.rounded() && abs(x) < 1e15 ? String(Int64(x)) : String(x)
        case .integer(let x): String(x)
        case .bool(let x): String(x)
        case .string(let x): x
        }
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .integer(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else {
            self = .string(try container.decode(String.self))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .number(let x): try container.encode(x)
        case .integer(let x): try container.encode(x)
        case .bool(let x): try container.encode(x)
        case .string(let x): try container.encode(x)
        }
    }
}

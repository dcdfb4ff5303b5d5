import StrataColumnar

/// One value in a skew example, as it is written in JSON and in the readable table: numbers keep
/// their declared type, timestamps are ISO-8601, and NaN and ±∞ are the strings the served-feature
/// log writes for them (JSON has no such numbers).
public enum SkewValue: Sendable, Hashable, Encodable, CustomStringConvertible {
    case null
    case float64(Double)
    case float32(Float)
    case integer(Int64)
    case bool(Bool)
    case string(String)
    case timestamp(Int64)

    /// The value of `column` at `row`.
    public init(_ column: Column, _ row: Int) {
        if column.isNull(row) {
            self = .null
            return
        }
        switch column.storage {
        case .float64(let v): self = .float64(v[row])
        case .float32(let v): self = .float32(v[row])
        case .int64(let v): self = .integer(v[row])
        case .int32(let v): self = .integer(Int64(v[row]))
        case .bool(let v): self = .bool(v[row])
        case .timestamp(let v): self = .timestamp(v[row])
        case .string: self = .string(column.string(at: row) ?? "")
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .float64(let x): x.isFinite ? try container.encode(x) : try container.encode(Self.nonFinite(x))
        case .float32(let x): x.isFinite ? try container.encode(x) : try container.encode(Self.nonFinite(Double(x)))
        case .integer(let x): try container.encode(x)
        case .bool(let x): try container.encode(x)
        case .string(let x): try container.encode(x)
        case .timestamp(let x): try container.encode(UTCTimestamp.format(x))
        }
    }

    /// The text of the value: floats as they round-trip, strings in double quotes.
    public var description: String {
        switch self {
        case .null: "null"
        case .float64(let x): x.isFinite ? x.description : Self.nonFinite(x)
        case .float32(let x): x.isFinite ? x.description : Self.nonFinite(Double(x))
        case .integer(let x): String(x)
        case .bool(let x): String(x)
        case .string(let x): "\"\(x)\""
        case .timestamp(let x): UTCTimestamp.format(x)
        }
    }

    private static func nonFinite(_ x: Double) -> String {
        x.isNaN ? "NaN" : x > 0 ? "Infinity" : "-Infinity"
    }
}

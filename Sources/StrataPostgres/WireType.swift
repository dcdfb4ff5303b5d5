import StrataColumnar

/// The PostgreSQL type of a column in a binary COPY stream. Binary COPY carries no type information,
/// so the query casts each column to the wire type its reader expects (e.g. `x::float8`).
public enum WireType: String, Sendable, Hashable, CaseIterable {
    case int2, int4, int8, float4, float8, numeric, bool, text, timestamptz, date

    /// The SQL type name to cast to, e.g. `double precision` for float8.
    public var sqlName: String {
        switch self {
        case .int2: "smallint"
        case .int4: "integer"
        case .int8: "bigint"
        case .float4: "real"
        case .float8: "double precision"
        case .numeric: "numeric"
        case .bool: "boolean"
        case .text: "text"
        case .timestamptz: "timestamptz"
        case .date: "date"
        }
    }

    /// The wire type that carries values of a column type exactly.
    public static func carrying(_ type: ColumnType) -> WireType {
        switch type {
        case .float64: .float8
        case .float32: .float4
        case .int64: .int8
        case .int32: .int4
        case .bool: .bool
        case .string: .text
        case .timestamp: .timestamptz
        }
    }
}

/// One column of a binary COPY: what arrives on the wire and the column type it is decoded into.
public struct CopyColumn: Sendable, Hashable {
    public var wire: WireType
    public var type: ColumnType

    public init(wire: WireType, type: ColumnType) {
        self.wire = wire
        self.type = type
    }

    /// A column whose wire type carries `type` exactly.
    public init(_ type: ColumnType) { self.init(wire: .carrying(type), type: type) }
}

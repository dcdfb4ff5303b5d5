internal import CLibPQ

/// The rows a statement returned, read in libpq's text format; freed when the last copy goes away.
public struct PostgresResult: @unchecked Sendable {
    final class Handle {
        let pointer: OpaquePointer
        init(_ pointer: OpaquePointer) { self.pointer = pointer }
        deinit { PQclear(pointer) }
    }

    let handle: Handle

    init(_ pointer: OpaquePointer) { handle = Handle(pointer) }

    /// Number of rows returned.
    public var rowCount: Int { Int(PQntuples(handle.pointer)) }

    /// Number of columns returned.
    public var columnCount: Int { Int(PQnfields(handle.pointer)) }

    /// Rows affected by an INSERT, UPDATE, DELETE or COPY; 0 when the command reports none.
    public var affectedRows: Int {
        guard let text = PQcmdTuples(handle.pointer) else { return 0 }
        return Int(String(cString: text)) ?? 0
    }

    /// The column names, in order.
    public var columnNames: [String] {
        (0..<columnCount).map { String(cString: PQfname(handle.pointer, Int32($0))) }
    }

    /// The index of the column called `name`, if any.
    public func columnIndex(_ name: String) -> Int? {
        let index = Int(PQfnumber(handle.pointer, "\"" + name + "\""))
        return index >= 0 ? index : nil
    }

    /// Whether the value at (row, column) is SQL NULL.
    public func isNull(_ row: Int, _ column: Int) -> Bool {
        PQgetisnull(handle.pointer, Int32(row), Int32(column)) == 1
    }

    /// The value at (row, column) as text; nil for NULL.
    public func string(_ row: Int, _ column: Int) -> String? {
        if isNull(row, column) { return nil }
        return String(cString: PQgetvalue(handle.pointer, Int32(row), Int32(column)))
    }

    /// The value at (row, column) as an integer; nil for NULL or non-numeric text.
    public func int(_ row: Int, _ column: Int) -> Int64? {
        string(row, column).flatMap { Int64($0) }
    }

    /// The value at (row, column) as a double; nil for NULL or non-numeric text.
    public func double(_ row: Int, _ column: Int) -> Double? {
        string(row, column).flatMap { Double($0) }
    }

    /// The value at (row, column) as a boolean (`t`/`f`); nil for NULL.
    public func bool(_ row: Int, _ column: Int) -> Bool? {
        string(row, column).map { $0 == "t" || $0 == "true" }
    }

    /// Every row as text values, for small results.
    public var rows: [[String?]] {
        (0..<rowCount).map { r in (0..<columnCount).map { string(r, $0) } }
    }
}

extension PostgresResult {
    /// The server's type name of each column (`int8`, `text`, `timestamptz`, ...), for the common
    /// built-in types; other types read `oid:N`.
    public var columnTypeNames: [String] {
        (0..<columnCount).map { Self.typeName(oid: UInt32(PQftype(handle.pointer, Int32($0)))) }
    }

    static func typeName(oid: UInt32) -> String {
        switch oid {
        case 16: "bool"
        case 19: "name"
        case 20: "int8"
        case 21: "int2"
        case 23: "int4"
        case 25: "text"
        case 700: "float4"
        case 701: "float8"
        case 1042: "bpchar"
        case 1043: "varchar"
        case 1082: "date"
        case 1114: "timestamp"
        case 1184: "timestamptz"
        case 1700: "numeric"
        default: "oid:\(oid)"
        }
    }
}

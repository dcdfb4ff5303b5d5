import StrataColumnar

/// Encodes columns as PostgreSQL's binary COPY format, row by row into a reused buffer.
struct BinaryCopyEncoder {
    let columns: [Column]
    let rowCount: Int
    var bytes: [UInt8] = []

    init(columns: [Column]) {
        self.columns = columns
        rowCount = columns.first?.count ?? 0
        bytes.reserveCapacity(1 << 16)
    }

    static func header() -> [UInt8] { BinaryCopyDecoder.signature + [0, 0, 0, 0, 0, 0, 0, 0] }
    static let trailer: [UInt8] = [0xFF, 0xFF]

    /// Appends rows `range` to `bytes`.
    mutating func encode(rows range: Range<Int>) {
        for row in range {
            append16(Int16(columns.count))
            for column in columns {
                if column.isNull(row) {
                    append32(-1)
                    continue
                }
                switch column.storage {
                case .float64(let v):
                    append32(8)
                    append64(Int64(bitPattern: v[row].bitPattern))
                case .float32(let v):
                    append32(4)
                    append32(Int32(bitPattern: v[row].bitPattern))
                case .int64(let v):
                    append32(8)
                    append64(v[row])
                case .int32(let v):
                    append32(4)
                    append32(v[row])
                case .bool(let v):
                    append32(1)
                    bytes.append(v[row] ? 1 : 0)
                case .timestamp(let v):
                    append32(8)
                    let micros = v[row]
                    append64(
                        micros == .max || micros == .min
                            ? micros : UTCTimestamp.subtracting(BinaryCopyDecoder.postgresEpochMicros, from: micros))
                case .string(let data, let offsets):
                    let start = offsets[row], end = offsets[row + 1]
                    append32(Int32(end - start))
                    bytes.append(contentsOf: data[start..<end])
                }
            }
        }
    }

    mutating func append16(_ v: Int16) {
        withUnsafeBytes(of: v.bigEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func append32(_ v: Int32) {
        withUnsafeBytes(of: v.bigEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func append64(_ v: Int64) {
        withUnsafeBytes(of: v.bigEndian) { bytes.append(contentsOf: $0) }
    }
}

extension PostgresConnection {
    /// Writes `columns` into `table` (`columnNames` in order) with binary COPY; all or nothing.
    /// Names are validated and quoted here; `table` may be `schema.table`.
    /// - Returns: the number of rows stored.
    @discardableResult
    public func copyIn(table: String, columnNames: [String], columns: [Column]) throws -> Int {
        precondition(columnNames.count == columns.count, "one name per column")
        let list = try columnNames.map(SQLIdentifier.quote).joined(separator: ", ")
        let sql = "COPY \(try SQLIdentifier.quoteQualified(table)) (\(list)) FROM STDIN (FORMAT binary)"
        return try copyIn(sql) { out in
            try Self.writeBinary(columns: columns, to: &out)
        }
    }

    /// Writes the binary COPY encoding of `columns` to `out`, header and trailer included.
    public static func writeBinary(columns: [Column], to out: inout CopyInWriter) throws {
        try BinaryCopyEncoder.header().withUnsafeBytes { try out.write($0) }
        var encoder = BinaryCopyEncoder(columns: columns)
        var row = 0
        while row < encoder.rowCount {
            let end = min(row + 4096, encoder.rowCount)
            encoder.bytes.removeAll(keepingCapacity: true)
            encoder.encode(rows: row..<end)
            try encoder.bytes.withUnsafeBytes { try out.write($0) }
            row = end
        }
        try BinaryCopyEncoder.trailer.withUnsafeBytes { try out.write($0) }
    }
}

import StrataColumnar
import StrataPostgres
import StrataTestSupport
import Testing

/// The binary COPY decoder on odd or hostile server bytes, without a server: every input ends in a
/// value or a `PostgresError`, never a trap.
@Suite struct BinaryCopyDecoderTests {
    static let header: [UInt8] = [0x50, 0x47, 0x43, 0x4F, 0x50, 0x59, 0x0A, 0xFF, 0x0D, 0x0A, 0x00, 0, 0, 0, 0, 0, 0, 0, 0]

    static func be<T: FixedWidthInteger>(_ value: T) -> [UInt8] { withUnsafeBytes(of: value.bigEndian) { Array($0) } }

    /// A stream of one row of one field holding `field`.
    static func row(_ field: [UInt8]) -> [UInt8] { header + be(Int16(1)) + be(Int32(field.count)) + field }

    static func decode(_ bytes: [UInt8], as column: CopyColumn) throws -> Column {
        var decoder = BinaryCopyDecoder(columns: [column])
        try bytes.withUnsafeBytes { try decoder.feed($0) }
        return decoder.takeColumns()[0]
    }

    @Test func aNegativeHeaderExtensionLengthIsAProtocolError() {
        var bytes = Self.header
        bytes.replaceSubrange(15..<19, with: Self.be(Int32(-8)))
        let error = #expect(throws: PostgresError.self) { _ = try Self.decode(bytes, as: CopyColumn(.int64)) }
        #expect(error?.code == .protocolError)
    }

    /// numeric: digit count, weight, sign, display scale, then base-10000 digits.
    static func numeric(count: Int16, weight: Int16 = 0, sign: UInt16 = 0, digits: [Int16]) -> [UInt8] {
        be(count) + be(weight) + be(sign) + be(Int16(0)) + digits.flatMap { be($0) }
    }

    @Test(arguments: [
        ("negative digit count", numeric(count: -3, digits: [])),
        ("digit above 9999", numeric(count: 1, digits: [32_767])),
        ("negative digit", numeric(count: 2, digits: [-1, 5])),
        ("long digit in text path", numeric(count: 5, weight: 40, digits: [1, 2, 3, 4, 12_345])),
        ("unknown sign", numeric(count: 1, sign: 0x1234, digits: [1])),
    ])
    func malformedNumericsAreProtocolErrors(label: String, field: [UInt8]) {
        let error = #expect(throws: PostgresError.self, "\(label)") {
            _ = try Self.decode(Self.row(field), as: CopyColumn(wire: .numeric, type: .float64))
        }
        #expect(error?.code == .protocolError)
    }

    @Test func hugeNumericsBecomeInfinite() throws {
        let big = try Self.decode(Self.row(Self.numeric(count: 1, weight: 30_000, digits: [9])), as: CopyColumn(wire: .numeric, type: .float64))
        #expect(big.float64Values == [.infinity])
    }

    @Test func datesAtAndPastTheEdgesSaturate() throws {
        let column = CopyColumn(wire: .date, type: .timestamp)
        #expect(try Self.decode(Self.row(Self.be(Int32.max)), as: column).timestampValues == [.max])
        #expect(try Self.decode(Self.row(Self.be(Int32.min)), as: column).timestampValues == [.min])
        // 5874897-12-31, PostgreSQL's last date, lies past Int64's microseconds.
        #expect(try Self.decode(Self.row(Self.be(Int32(2_146_764_364))), as: column).timestampValues == [.max])
        #expect(try Self.decode(Self.row(Self.be(Int32(-1))), as: column).timestampValues == [UTCTimestamp.parse("1999-12-31")!])
    }

    @Test func timestampsPastInt64MicrosecondsSaturate() throws {
        // 294276-12-31T23:59:59Z in PostgreSQL's microseconds since 2000.
        let late = Self.row(Self.be(Int64(9_223_371_331_199_000_000)))
        #expect(try Self.decode(late, as: CopyColumn(.timestamp)).timestampValues == [.max])
        #expect(try Self.decode(Self.row(Self.be(Int64.max - 1)), as: CopyColumn(.timestamp)).timestampValues == [.max])
        #expect(try Self.decode(Self.row(Self.be(Int64.min + 1)), as: CopyColumn(.timestamp)).timestampValues == [.min + 1 + 946_684_800_000_000])
    }
}

@Suite("Binary COPY of infinite timestamps against a real PostgreSQL", .enabled(if: TestServices.enabled))
struct InfiniteTimestampCopyTests {
    @Test func infinityRoundTripsThroughATable() throws {
        let db = try PostgresConnection(url: try TestServices.shared.freshDatabaseURL())
        try db.execute("CREATE TABLE t (ts timestamptz)")
        try db.copyIn(table: "t", columnNames: ["ts"], columns: [Column(timestamp: [Int64.max, Int64.min, 0])])
        #expect(try db.execute("SELECT ts = 'infinity', ts = '-infinity', extract(epoch FROM ts) FROM t").rows
            == [["t", "f", "Infinity"], ["f", "t", "-Infinity"], ["f", "f", "0.000000"]])
        let back = try db.copyOut(query: "SELECT ts FROM t", columns: [CopyColumn(.timestamp)])
        #expect(back[0].timestampValues == [Int64.max, Int64.min, 0])
        #expect(UTCTimestamp.format(Int64.max) == "infinity" && UTCTimestamp.format(Int64.min) == "-infinity")
    }
}

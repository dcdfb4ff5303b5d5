import StrataColumnar
import StrataPostgres
import StrataTestSupport
import Testing

@Suite("Binary COPY into columns against a real PostgreSQL")
struct BinaryCopyTests {
    let url: String

    init() throws { url = try TestServices.shared.freshDatabaseURL() }

    @Test func everyWireTypeWithNulls() throws {
        let db = try PostgresConnection(url: url)
        try db.executeScript(
            """
            CREATE TABLE t (i2 smallint, i4 integer, i8 bigint, f4 real, f8 double precision, n numeric,
                            b boolean, s text, v varchar(10), ts timestamptz, tsl timestamp, d date);
            INSERT INTO t VALUES (-3, 70000, 9000000000, 1.5, -2.25, 12345.678, true, 'héllo', 'x',
                                  '2026-01-02 03:04:05.123456+00', '2026-01-02 03:04:05', '1999-12-31');
            INSERT INTO t VALUES (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
            INSERT INTO t VALUES (0, 0, 0, 0, 0, -0.0001, false, '', '', '1970-01-01 00:00:00+00', '1960-06-01 12:00:00', '2000-01-01');
            """)
        let columns = try db.copyOut(
            query: "SELECT i2, i4, i8, f4, f8, n, b, s, v::text, ts, tsl::timestamptz, d FROM t ORDER BY i8 NULLS LAST",
            columns: [
                CopyColumn(wire: .int2, type: .int64), CopyColumn(wire: .int4, type: .int32), CopyColumn(.int64),
                CopyColumn(.float32), CopyColumn(.float64), CopyColumn(wire: .numeric, type: .float64), CopyColumn(.bool),
                CopyColumn(.string), CopyColumn(.string), CopyColumn(.timestamp), CopyColumn(.timestamp),
                CopyColumn(wire: .date, type: .timestamp),
            ])
        #expect(columns.count == 12)
        #expect(columns.allSatisfy { $0.count == 3 })
        let expected: [[String?]] = [
            ["0", "0", "0", "0.0", "0.0", "-0.0001", "false", "", "", "1970-01-01T00:00:00Z", "1960-06-01T12:00:00Z", "2000-01-01T00:00:00Z"],
            ["-3", "70000", "9000000000", "1.5", "-2.25", "12345.678", "true", "héllo", "x", "2026-01-02T03:04:05.123456Z", "2026-01-02T03:04:05Z", "1999-12-31T00:00:00Z"],
            Array(repeating: nil, count: 12),
        ]
        for row in 0..<3 {
            #expect(columns.map { render($0, row) } == expected[row], "row \(row)")
        }
    }

    @Test func numericsDecodeToTheNearestDouble() throws {
        let db = try PostgresConnection(url: url)
        let values = ["0", "1", "-2.5", "12345.678", "0.0001", "123456789.123456789", "1e-30", "-7e25", "99999999.9999", "3.14159265358979323846"]
        let list = values.map { "('\($0)'::numeric)" }.joined(separator: ", ")
        let columns = try db.copyOut(
            query: "SELECT v, v::float8 FROM (VALUES \(list)) AS t(v)",
            columns: [CopyColumn(wire: .numeric, type: .float64), CopyColumn(.float64)])
        #expect(columns[0].float64Values == columns[1].float64Values)
    }

    @Test func batchesCoverEveryRowOnce() throws {
        let db = try PostgresConnection(url: url)
        var seen: [Int64] = []
        var batches = 0
        try db.copyOut(
            query: "SELECT g::bigint FROM generate_series(1, 10000) g", columns: [CopyColumn(.int64)], batchRows: 3000
        ) { batch in
            batches += 1
            guard case .int64(let values) = batch[0].storage else { return }
            seen += values
        }
        #expect(batches == 4)
        #expect(seen == Array(1...10000))
    }

    @Test func emptyResultGivesEmptyColumns() throws {
        let db = try PostgresConnection(url: url)
        let columns = try db.copyOut(query: "SELECT 1::bigint WHERE false", columns: [CopyColumn(.int64)])
        #expect(columns.count == 1 && columns[0].count == 0)
    }

    @Test func wrongWireTypeAndFailingQueryAreErrors() throws {
        let db = try PostgresConnection(url: url)
        #expect(throws: PostgresError.self) {
            try db.copyOut(query: "SELECT 1::int4", columns: [CopyColumn(.int64)])
        }
        let error = try #require(throws: PostgresError.self) {
            try db.copyOut(query: "SELECT x FROM missing_table", columns: [CopyColumn(.int64)])
        }
        #expect(error.sqlState == "42P01")
        #expect(try db.execute("SELECT 1").int(0, 0) == 1)
    }

    /// The server counts the rows it produced in a sequence; a consumer that fails on the first batch
    /// must stop the COPY long before the server has produced the whole result.
    @Test func aFailingConsumerCancelsTheCopyAndLeavesTheConnectionReady() throws {
        struct Stop: Error {}
        let db = try PostgresConnection(url: url)
        try db.execute("CREATE SEQUENCE produced")
        let total = 4_000_000
        var batches = 0
        #expect(throws: Stop.self) {
            try db.copyOut(
                query: "SELECT i::bigint, nextval('produced') FROM (SELECT generate_series(1, \(total)) AS i) AS g",
                columns: [CopyColumn(.int64), CopyColumn(.int64)], batchRows: 1_000
            ) { _ in
                batches += 1
                throw Stop()
            }
        }
        #expect(batches == 1)
        #expect(db.isIdle)
        let produced = try #require(try db.execute("SELECT last_value FROM produced").int(0, 0))
        #expect(produced < Int64(total / 10), "the server produced \(produced) of \(total) rows after the consumer failed")
        #expect(try db.execute("SELECT count(*) FROM generate_series(1, 3)").int(0, 0) == 3)
    }

    func render(_ column: Column, _ row: Int) -> String? {
        if column.isNull(row) { return nil }
        switch column.storage {
        case .int64(let v): return String(v[row])
        case .int32(let v): return String(v[row])
        case .float32(let v): return "\(v[row])"
        case .float64(let v): return "\(v[row])"
        case .bool(let v): return "\(v[row])"
        case .string: return column.string(at: row)
        case .timestamp(let v): return UTCTimestamp.format(v[row])
        }
    }
}

@Suite("Binary COPY from columns against a real PostgreSQL")
struct BinaryCopyInTests {
    @Test func columnsRoundTripThroughATable() throws {
        let db = try PostgresConnection(url: try TestServices.shared.freshDatabaseURL())
        try db.execute(
            "CREATE TABLE r (f8 double precision, f4 real, i8 bigint, i4 integer, b boolean, s text, ts timestamptz)")
        let ts = UTCTimestamp.parse("2026-03-04T05:06:07.000008Z")!
        let columns: [Column] = [
            Column(float64: [1.5, nil, -0.0]), Column(float32: [2.5, 3, nil]), Column(int64: [nil, .max, .min]),
            Column(int32: [1, 2, nil]), Column(bool: [true, nil, false]), Column(string: ["a\tb", nil, "ü"]),
            Column(timestamp: [ts, nil, 0]),
        ]
        let stored = try db.copyIn(table: "r", columnNames: ["f8", "f4", "i8", "i4", "b", "s", "ts"], columns: columns)
        #expect(stored == 3)
        let back = try db.copyOut(
            query: "SELECT f8, f4, i8, i4, b, s, ts FROM r",
            columns: columns.map { CopyColumn($0.type) })
        #expect(back == columns)
        #expect(try db.execute("SELECT ts::text FROM r WHERE ts IS NOT NULL ORDER BY ts DESC LIMIT 1").string(0, 0)
            == "2026-03-04 05:06:07.000008+00")
    }

    @Test func describeReportsNamesAndTypes() throws {
        let db = try PostgresConnection(url: try TestServices.shared.freshDatabaseURL())
        let described = try db.execute("SELECT 1::int8 AS a, 'x'::text AS b, now() AS c, 1.5::numeric AS d LIMIT 0")
        #expect(described.columnNames == ["a", "b", "c", "d"])
        #expect(described.columnTypeNames == ["int8", "text", "timestamptz", "numeric"])
    }
}

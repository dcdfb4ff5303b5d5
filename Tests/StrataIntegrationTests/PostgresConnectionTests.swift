import StrataPostgres
import StrataTestSupport
import Testing

@Suite("PostgreSQL wrapper against a real server")
struct PostgresConnectionTests {
    let url: String

    init() throws { url = try TestServices.shared.freshDatabaseURL() }

    @Test func parametersAndTypedResults() throws {
        let db = try PostgresConnection(url: url)
        let rows = try db.execute(
            "SELECT $1::bigint + 1, $2::text || '!', $3::float8 * 2, $4::bool, $5::text IS NULL",
            [.int(41), .text("hi 'quoted' \"x\""), .double(1.25), .bool(true), .null])
        #expect(rows.rowCount == 1)
        #expect(rows.columnCount == 5)
        #expect(rows.int(0, 0) == 42)
        #expect(rows.string(0, 1) == "hi 'quoted' \"x\"!")
        #expect(rows.double(0, 2) == 2.5)
        #expect(rows.bool(0, 3) == true)
        #expect(rows.bool(0, 4) == true)
    }

    @Test func nullsAreReportedAsNil() throws {
        let db = try PostgresConnection(url: url)
        let rows = try db.execute("SELECT NULL::int, NULL::text, 7")
        #expect(rows.isNull(0, 0))
        #expect(rows.int(0, 0) == nil)
        #expect(rows.string(0, 1) == nil)
        #expect(!rows.isNull(0, 2))
    }

    @Test func parametersAreNeverSpliced() throws {
        let db = try PostgresConnection(url: url)
        try db.execute("CREATE TABLE t (v text)")
        let hostile = "x'); DROP TABLE t; --"
        try db.execute("INSERT INTO t VALUES ($1)", [.text(hostile)])
        let rows = try db.execute("SELECT v FROM t")
        #expect(rows.string(0, 0) == hostile)
    }

    @Test func sqlErrorsCarrySQLStateMessageAndStatement() throws {
        let db = try PostgresConnection(url: url)
        let error = try #require(throws: PostgresError.self) {
            try db.execute("SELECT * FROM no_such_table WHERE id = $1", [.int(1)])
        }
        #expect(error.code == .sqlError)
        #expect(error.sqlState == "42P01")
        #expect(error.message.contains("no_such_table"))
        #expect(error.statement == "SELECT * FROM no_such_table WHERE id = $1")
        #expect(db.isHealthy)
        #expect(try db.execute("SELECT 1").int(0, 0) == 1)
    }

    @Test func transactionsCommitAndRollBack() throws {
        let db = try PostgresConnection(url: url)
        try db.execute("CREATE TABLE tx (v int)")
        try db.transaction { try $0.execute("INSERT INTO tx VALUES (1)") }
        #expect(throws: PostgresError.self) {
            try db.transaction { tx in
                try tx.execute("INSERT INTO tx VALUES (2)")
                try tx.execute("INSERT INTO tx VALUES ('not a number')")
            }
        }
        let rows = try db.execute("SELECT array_agg(v ORDER BY v)::text FROM tx")
        #expect(rows.string(0, 0) == "{1}")
    }

    @Test func copyInStoresRowsAndAbortsOnError() throws {
        let db = try PostgresConnection(url: url)
        try db.execute("CREATE TABLE c (id int, name text)")
        let stored = try db.copyIn("COPY c FROM STDIN") { out in
            for i in 0..<1000 { try out.write("\(i)\tname \(i)\n") }
            try out.write("1000\t\\N\n")
        }
        #expect(stored == 1001)
        #expect(try db.execute("SELECT count(*), count(name) FROM c").rows == [["1001", "1000"]])
        struct Stop: Error {}
        #expect(throws: Stop.self) {
            try db.copyIn("COPY c FROM STDIN") { out in
                try out.write("5000\tlost\n")
                throw Stop()
            }
        }
        #expect(try db.execute("SELECT count(*) FROM c").int(0, 0) == 1001)
        #expect(throws: PostgresError.self) {
            try db.copyIn("COPY c FROM STDIN") { out in try out.write("not-an-int\tx\n") }
        }
        #expect(try db.execute("SELECT count(*) FROM c").int(0, 0) == 1001)
    }

    @Test func unreachableServerNamesTheURLWithoutPassword() throws {
        let port = 1
        let error = try #require(throws: PostgresError.self) {
            try PostgresConnection(url: "postgresql://alice:s3cret@127.0.0.1:\(port)/db", connectTimeoutSeconds: 2)
        }
        #expect(error.code == .connectionFailed)
        #expect(error.isUnreachable)
        #expect(error.message.contains("127.0.0.1:\(port)"))
        #expect(!error.message.contains("s3cret"))
        #expect(!error.description.contains("s3cret"))
    }

    @Test(arguments: [
        ("postgresql://u:pw@h:5432/db", "postgresql://u:***@h:5432/db"),
        ("postgresql://u@h/db?password=pw&sslmode=off", "postgresql://u@h/db?password=***&sslmode=off"),
        ("host=h password=pw dbname=d", "host=h password=*** dbname=d"),
        ("postgresql://h/db", "postgresql://h/db"),
    ])
    func redactsPasswords(input: String, expected: String) {
        #expect(PostgresURL.redacted(input) == expected)
    }

    @Test func identifiersAreValidatedAndQuoted() throws {
        #expect(try SQLIdentifier.quote("driver_stats") == "\"driver_stats\"")
        #expect(try SQLIdentifier.quoteQualified("public.Driver") == "\"public\".\"Driver\"")
        for bad in ["", "1abc", "a-b", "x\"; DROP TABLE y", String(repeating: "a", count: 64), "a.b.c"] {
            #expect(throws: PostgresError.self) { try SQLIdentifier.quoteQualified(bad) }
        }
    }
}

internal import CLibPQ
#if canImport(Glibc)
import Glibc
#endif

/// One libpq connection. Not thread-safe: one owner at a time; the connection closes in `deinit`.
public final class PostgresConnection {
    let conn: OpaquePointer
    /// The connection string with the password hidden, for messages.
    public let redactedURL: String

    /// Connects with a libpq URI or key-value string.
    /// - Throws: `PostgresError` `.connectionFailed` naming the URL (password hidden) and libpq's reason.
    public convenience init(url: String, connectTimeoutSeconds: Int = 5) throws {
        try self.init(
            keywords: ["dbname", "connect_timeout", "application_name"], values: [url, String(connectTimeoutSeconds), "strata"],
            expandingDatabaseName: true, redactedURL: PostgresURL.redacted(url)) { PostgresURL.hidingPasswords(of: url, in: $0) }
    }

    /// Connects with libpq keyword/value pairs; `hidingSecrets` removes from libpq's messages the passwords
    /// they may echo.
    init(
        keywords: [String], values: [String], expandingDatabaseName: Bool, redactedURL: String,
        hidingSecrets: (String) -> String
    ) throws {
        self.redactedURL = redactedURL
        let connection = withCStringArray(keywords) { keys in
            withCStringArray(values) { vals in PQconnectdbParams(keys, vals, expandingDatabaseName ? 1 : 0) }
        }
        guard let connection else {
            throw PostgresError(code: .connectionFailed, message: "could not allocate a PostgreSQL connection for \(redactedURL)")
        }
        guard PQstatus(connection) == CONNECTION_OK else {
            let reason = hidingSecrets(Self.lastError(connection))
            PQfinish(connection)
            let code: PostgresError.Code = Self.isMalformed(reason) ? .badURL : .connectionFailed
            throw PostgresError(code: code, message: "cannot connect to PostgreSQL at \(redactedURL): \(reason)")
        }
        conn = connection
        PQsetNoticeProcessor(conn, { _, _ in }, nil)
        // Timestamps without a time zone are read, and all timestamps printed, in UTC.
        try execute("SET TimeZone = 'UTC'")
    }

    deinit { PQfinish(conn) }

    /// Whether libpq refused the connection string itself (a bad URI, an unknown option, a port that is
    /// not a number) rather than failing to reach the server: the user's input, not the service, is wrong.
    static func isMalformed(_ reason: String) -> Bool {
        (reason.contains("invalid") && reason.contains("URI")) || reason.contains("invalid connection option")
            || reason.contains("invalid integer value") || reason.contains("invalid port number")
            || reason.contains("invalid sslmode value") || reason.contains("missing \"=\"")
    }

    /// The server's major version number, e.g. 15.
    public var serverMajorVersion: Int { Int(PQserverVersion(conn)) / 10000 }

    /// Whether the connection is still usable.
    public var isHealthy: Bool { PQstatus(conn) == CONNECTION_OK }

    /// Runs one statement with `$n` parameters and returns its rows.
    /// - Throws: `PostgresError` with the SQLSTATE, the server's message and the statement.
    @discardableResult
    public func execute(_ sql: String, _ parameters: [PostgresValue] = []) throws -> PostgresResult {
        let texts = parameters.map(\.textForm)
        let raw: OpaquePointer? = withOptionalCStringArray(texts) { values in
            PQexecParams(conn, sql, Int32(texts.count), nil, values, nil, nil, 0)
        }
        return try check(raw, statement: sql, accepting: [PGRES_COMMAND_OK, PGRES_TUPLES_OK])
    }

    /// Runs several statements separated by semicolons, without parameters (used for migrations).
    public func executeScript(_ sql: String) throws {
        _ = try check(PQexec(conn, sql), statement: sql, accepting: [PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY])
    }

    /// Runs `body` inside BEGIN … COMMIT; rolls back and rethrows when it throws.
    ///
    /// `committing` is handed the COMMIT to run, so that a caller can pair it with a step outside the
    /// database (moving a finished file into place) under one lock; it must call it at most once.
    @discardableResult
    public func transaction<T>(
        committing: (_ commit: () throws -> Void) throws -> Void = { try $0() }, _ body: (PostgresConnection) throws -> T
    ) throws -> T {
        try execute("BEGIN")
        // A COMMIT that was sent ends the transaction whatever its outcome; only an open one is rolled back.
        var open = true
        do {
            let value = try body(self)
            try committing {
                open = false
                try execute("COMMIT")
            }
            guard !open else {
                throw PostgresError(code: .protocolError, message: "a transaction's commit step returned without committing")
            }
            return value
        } catch {
            if open && isHealthy { _ = try? execute("ROLLBACK") }
            throw error
        }
    }

    func check(_ raw: OpaquePointer?, statement: String, accepting: [ExecStatusType]) throws -> PostgresResult {
        guard let raw else {
            throw lostOrFailed(statement: statement)
        }
        let status = PQresultStatus(raw)
        if accepting.contains(status) { return PostgresResult(raw) }
        let error = resultError(raw, statement: statement)
        PQclear(raw)
        throw error
    }

    func resultError(_ raw: OpaquePointer, statement: String?) -> PostgresError {
        func field(_ code: Int32) -> String? {
            guard let text = PQresultErrorField(raw, code) else { return nil }
            return String(cString: text)
        }
        let primary = field(Int32(UInt8(ascii: "M"))) ?? Self.lastError(conn)
        if PQstatus(conn) != CONNECTION_OK {
            return PostgresError(
                code: .connectionLost, message: "lost the connection to PostgreSQL at \(redactedURL): \(primary)",
                statement: statement)
        }
        var error = PostgresError(
            code: .sqlError, message: primary, sqlState: field(Int32(UInt8(ascii: "C"))), statement: statement,
            detail: field(Int32(UInt8(ascii: "D"))), hint: field(Int32(UInt8(ascii: "H"))))
        error.position = field(Int32(UInt8(ascii: "P"))).flatMap { Int($0) }
        return error
    }

    func lostOrFailed(statement: String?) -> PostgresError {
        let reason = Self.lastError(conn)
        if PQstatus(conn) != CONNECTION_OK {
            return PostgresError(
                code: .connectionLost, message: "lost the connection to PostgreSQL at \(redactedURL): \(reason)",
                statement: statement)
        }
        return PostgresError(code: .protocolError, message: reason, statement: statement)
    }

    static func lastError(_ conn: OpaquePointer) -> String {
        guard let text = PQerrorMessage(conn) else { return "unknown error" }
        return String(cString: text).trimmingTrailingNewlines()
    }
}

extension String {
    func trimmingTrailingNewlines() -> String {
        var s = Substring(self)
        while let last = s.last, last == "\n" || last == "\r" || last == " " { s = s.dropLast() }
        return String(s)
    }
}

func withCStringArray<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
    withOptionalCStringArray(strings.map(Optional.some)) { values in
        let terminated = UnsafeMutablePointer<UnsafePointer<CChar>?>.allocate(capacity: strings.count + 1)
        defer { terminated.deallocate() }
        for i in 0..<strings.count { terminated[i] = values[i] }
        terminated[strings.count] = nil
        return body(terminated)
    }
}

func withOptionalCStringArray<R>(_ strings: [String?], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
    let pointers = strings.map { $0.map { strdup($0)! } }
    defer { for p in pointers { free(p) } }
    let array = pointers.map { $0.map { UnsafePointer($0) } }
    return array.withUnsafeBufferPointer { buffer in
        body(buffer.baseAddress ?? UnsafePointer(bitPattern: 1)!)
    }
}

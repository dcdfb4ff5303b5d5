internal import CLibPQ
import StrataColumnar

extension PostgresConnection {
    /// Streams rows into the server with `COPY … FROM STDIN`; `body` writes the data in the COPY's format.
    /// On any error the COPY is aborted, so nothing is written.
    /// - Returns: the number of rows the server stored.
    @discardableResult
    public func copyIn(_ sql: String, _ body: (inout CopyInWriter) throws -> Void) throws -> Int {
        try beginCopy(sql, expecting: PGRES_COPY_IN)
        var writer = CopyInWriter(connection: self)
        do {
            try body(&writer)
            try writer.flush()
        } catch {
            _ = PQputCopyEnd(conn, "aborted by Strata")
            drainResults()
            throw error
        }
        guard PQputCopyEnd(conn, nil) == 1 else { throw lostOrFailed(statement: sql) }
        var rows = 0
        var failure: PostgresError?
        while let result = PQgetResult(conn) {
            if PQresultStatus(result) == PGRES_COMMAND_OK {
                rows = Int(String(cString: PQcmdTuples(result))) ?? 0
            } else if failure == nil {
                failure = resultError(result, statement: sql)
            }
            PQclear(result)
        }
        if let failure { throw failure }
        return rows
    }

    /// Starts a COPY and checks that the server entered the expected COPY state.
    func beginCopy(_ sql: String, expecting state: ExecStatusType) throws {
        guard let start = PQexec(conn, sql) else { throw lostOrFailed(statement: sql) }
        defer { PQclear(start) }
        guard PQresultStatus(start) == state else { throw resultError(start, statement: sql) }
    }

    func drainResults() {
        while let result = PQgetResult(conn) { PQclear(result) }
    }

    func putCopyData(_ bytes: UnsafeRawBufferPointer) throws {
        guard bytes.count > 0 else { return }
        let status = PQputCopyData(conn, bytes.baseAddress!.assumingMemoryBound(to: CChar.self), Int32(bytes.count))
        guard status == 1 else {
            throw PostgresError(code: .copyFailed, message: "COPY to \(redactedURL) failed: \(Self.lastError(conn))")
        }
    }
}

/// Buffers COPY data and hands it to the server in large chunks.
public struct CopyInWriter {
    let connection: PostgresConnection
    var buffer: [UInt8] = []
    static let chunk = 1 << 18

    init(connection: PostgresConnection) {
        self.connection = connection
        buffer.reserveCapacity(Self.chunk + 4096)
    }

    /// Appends raw bytes in the COPY's format.
    public mutating func write(_ bytes: UnsafeRawBufferPointer) throws {
        buffer.append(contentsOf: bytes)
        if buffer.count >= Self.chunk { try flush() }
    }

    /// Appends UTF-8 text in the COPY's format.
    public mutating func write(_ text: String) throws {
        var text = text
        try text.withUTF8 { try write(UnsafeRawBufferPointer($0)) }
    }

    /// Appends one byte.
    public mutating func write(byte: UInt8) throws {
        buffer.append(byte)
        if buffer.count >= Self.chunk { try flush() }
    }

    /// Sends what is buffered.
    public mutating func flush() throws {
        try buffer.withUnsafeBytes { try connection.putCopyData($0) }
        buffer.removeAll(keepingCapacity: true)
    }
}

extension PostgresConnection {
    /// Runs `COPY (query) TO STDOUT (FORMAT binary)` and decodes the rows straight into columns.
    /// The query must cast each output column to its `CopyColumn.wire` type.
    /// - Complexity: O(rows × columns), one pass, no per-value objects.
    public func copyOut(query: String, columns: [CopyColumn], capacity: Int = 0) throws -> [Column] {
        var result: [Column]?
        try copyOut(query: query, columns: columns, batchRows: .max, capacity: capacity) { batch in result = batch }
        return result ?? columns.map { Column.empty($0.type) }
    }

    /// Streams `COPY (query) TO STDOUT (FORMAT binary)` in batches of at most `batchRows` rows,
    /// so that memory stays bounded; `body` receives each batch's columns in order.
    public func copyOut(
        query: String, columns: [CopyColumn], batchRows: Int, capacity: Int = 0, _ body: ([Column]) throws -> Void
    ) throws {
        var decoder = BinaryCopyDecoder(columns: columns, capacity: min(capacity, batchRows))
        var emitted = 0
        try copyOutRaw("COPY (\(query)) TO STDOUT (FORMAT binary)") { message in
            try decoder.feed(message)
            if decoder.rows - emitted >= batchRows {
                emitted = decoder.rows
                try body(decoder.takeColumns())
            }
        }
        if decoder.rows > emitted || emitted == 0 { try body(decoder.takeColumns()) }
    }
}

extension PostgresConnection {
    /// Runs a `COPY … TO STDOUT` statement and hands each raw data message to `body` (CSV, text or
    /// binary, as the statement asks); for writing a server-formatted stream straight to a file.
    ///
    /// When `body` throws, the statement is cancelled (`cancelRunningStatement`) and what the server
    /// had already sent is read and dropped, so the error arrives after a few messages instead of after
    /// the whole result, and the connection is left ready for the next statement.
    /// - Returns: the number of bytes handed to `body`.
    @discardableResult
    public func copyOutRaw(_ sql: String, _ body: (UnsafeRawBufferPointer) throws -> Void) throws -> Int {
        try beginCopy(sql, expecting: PGRES_COPY_OUT)
        var total = 0
        var failure: Error?
        while true {
            var buffer: UnsafeMutablePointer<CChar>?
            let length = PQgetCopyData(conn, &buffer, 0)
            if length > 0, let buffer {
                defer { PQfreemem(buffer) }
                guard failure == nil else { continue }
                total += Int(length)
                do {
                    try body(UnsafeRawBufferPointer(start: buffer, count: Int(length)))
                } catch {
                    failure = error
                    // Without the cancel, the rest of the result would be read only to be dropped;
                    // if the request cannot be sent, draining still ends the COPY, only later.
                    try? cancelRunningStatement()
                }
                continue
            }
            if length == -1 { break }
            let lost = lostOrFailed(statement: sql)
            drainResults()
            throw failure ?? lost
        }
        var serverError: PostgresError?
        while let result = PQgetResult(conn) {
            if PQresultStatus(result) != PGRES_COMMAND_OK, serverError == nil {
                serverError = resultError(result, statement: sql)
            }
            PQclear(result)
        }
        // After a consumer failure the server's error is the cancellation Strata asked for.
        if let failure { throw failure }
        if let serverError { throw serverError }
        return total
    }
}

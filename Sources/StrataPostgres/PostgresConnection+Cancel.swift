internal import CLibPQ

extension PostgresConnection {
    /// Asks the server to cancel the statement this connection is running (libpq's `PQcancel`, sent
    /// over a separate connection to the server); the statement then ends with SQLSTATE 57014. A
    /// request that arrives after the statement ended is ignored by the server.
    /// - Throws: `PostgresError.protocolError` when the request could not be sent.
    public func cancelRunningStatement() throws {
        guard let handle = PQgetCancel(conn) else {
            throw PostgresError(code: .protocolError, message: "libpq has no cancel handle for the connection to \(redactedURL)")
        }
        defer { PQfreeCancel(handle) }
        var reason = [CChar](repeating: 0, count: 256)
        let sent = reason.withUnsafeMutableBufferPointer { PQcancel(handle, $0.baseAddress, Int32($0.count)) }
        guard sent == 1 else {
            let text = String(decoding: reason.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw PostgresError(
                code: .protocolError, message: "could not ask PostgreSQL at \(redactedURL) to cancel a statement: \(text)")
        }
    }

    /// Whether the connection is ready for a new statement outside any transaction: no statement or
    /// COPY in progress, no transaction open.
    public var isIdle: Bool { PQtransactionStatus(conn) == PQTRANS_IDLE }
}

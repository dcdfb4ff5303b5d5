internal import CLibPQ
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A message sent with PostgreSQL's `NOTIFY` (or `pg_notify`) on a channel this connection listens to.
public struct PostgresNotification: Sendable, Hashable {
    /// The channel it was sent on.
    public var channel: String
    /// Its payload (empty when none was given).
    public var payload: String
}

extension PostgresConnection {
    /// Starts listening on `channel`; its notifications arrive through `notifications(waitingUpTo:)`.
    /// - Throws: `PostgresError` for a channel name that is not an identifier, or the server's error.
    public func listen(_ channel: String) throws {
        try execute("LISTEN \(try SQLIdentifier.quote(channel))")
    }

    /// The notifications received so far, waiting up to `timeout` for the first one when none is
    /// pending; an empty array when none came in time.
    /// - Throws: `PostgresError` `.connectionLost` when the server went away.
    public func notifications(waitingUpTo timeout: Duration) throws -> [PostgresNotification] {
        var received = try consumeInput()
        guard received.isEmpty else { return received }
        let (seconds, attoseconds) = timeout.components
        let milliseconds = Int32(clamping: max(0, seconds * 1000 + attoseconds / 1_000_000_000_000_000))
        var entry = pollfd(fd: PQsocket(conn), events: Int16(POLLIN), revents: 0)
        let ready = poll(&entry, 1, milliseconds)
        if ready > 0 { received = try consumeInput() }
        return received
    }

    /// Reads whatever the server sent and returns the notifications among it.
    private func consumeInput() throws -> [PostgresNotification] {
        guard PQconsumeInput(conn) == 1 else {
            throw PostgresError(
                code: .connectionLost, message: "lost the connection to PostgreSQL at \(redactedURL): \(Self.lastError(conn))")
        }
        var received: [PostgresNotification] = []
        while let notification = PQnotifies(conn) {
            received.append(
                PostgresNotification(
                    channel: String(cString: notification.pointee.relname),
                    payload: notification.pointee.extra.map { String(cString: $0) } ?? ""))
            PQfreemem(notification)
        }
        return received
    }
}

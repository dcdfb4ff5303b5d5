/// A failure talking to Redis: what went wrong, on which server (password hidden), and the underlying detail.
public struct RedisError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of failure, for callers that react differently to each.
    public enum Code: String, Sendable, Hashable {
        /// The server could not be reached, or rejected the handshake (`AUTH`, `SELECT`).
        case connectionFailed
        /// An established connection broke; the next call reconnects.
        case connectionLost
        /// The server did not answer within the connection's timeout; the next call reconnects.
        case timeout
        /// The server sent something that is not the Redis protocol; the next call reconnects.
        case protocolError
        /// The server answered a command with an error reply (for example `WRONGTYPE`).
        case serverError
        /// A Redis URL could not be parsed.
        case badURL
        /// A Redis Cluster could not serve a key's slot: no master serves it, or its nodes kept redirecting
        /// (`MOVED`, `ASK`, `TRYAGAIN`, `CLUSTERDOWN`) while a master failed over or slots moved; the next call
        /// reads the slot map again.
        case clusterDown
    }

    /// The kind of failure.
    public var code: Code
    /// A sentence saying what failed and where, naming the URL without its password.
    public var message: String
    /// The server's URL with the password redacted, when one is known.
    public var url: String?
    /// The underlying detail: hiredis's error string or the server's error reply.
    public var underlying: String?

    /// Creates an error; `message` must already name the URL without its password.
    public init(code: Code, message: String, url: String? = nil, underlying: String? = nil) {
        self.code = code
        self.message = message
        self.url = url
        self.underlying = underlying
    }

    /// The message, followed by the underlying detail when the message does not already hold it.
    public var description: String {
        guard let underlying, !message.contains(underlying) else { return message }
        return "\(message): \(underlying)"
    }
}

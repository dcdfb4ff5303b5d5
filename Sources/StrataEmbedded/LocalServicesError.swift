/// A failure starting, stopping or inspecting local services: what failed and what to do about it.
public struct LocalServicesError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of failure.
    public enum Code: String, Sendable, Hashable {
        /// A required program (initdb, pg_ctl, redis-server, runuser) is not installed.
        case binaryNotFound
        /// A program exited with a failure status.
        case commandFailed
        /// A server was launched but did not come up, or its port is taken.
        case startFailed
        /// A folder cannot be created, or the service's user cannot reach it.
        case directoryUnusable
        /// `services.json` exists but cannot be read.
        case badRecord
    }

    /// The kind of failure.
    public var code: Code
    /// A sentence saying what failed and what to do.
    public var message: String
    /// The underlying detail, such as a program's output or the end of a server log.
    public var underlying: String?

    /// Creates an error.
    public init(code: Code, message: String, underlying: String? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
    }

    /// The message, followed by the underlying detail on its own lines.
    public var description: String {
        guard let underlying, !underlying.isEmpty else { return message }
        return "\(message)\n\(underlying)"
    }
}

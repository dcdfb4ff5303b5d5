/// An online-store failure: bad input (an unknown feature, a wrong key type, a malformed CSV row), a
/// view that is not online, or Redis restarting, losing data or refusing writes under a run. The message says what was expected and where.
public struct OnlineError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure, which decides the exit code (`isServiceFailure`).
    public enum Code: String, Sendable, Hashable {
        /// A feature, view or service that the registry does not hold.
        case unknownFeature
        /// An entity key that is missing, null or of the wrong type.
        case badEntity
        /// A malformed push file or row.
        case badInput
        /// A view that is not materialised into the online store.
        case notOnline
        /// Redis was restarted (or replaced), or stopped answering, while a run was writing to it.
        case redisRestarted
        /// Redis lost data while a run was writing to it (its run marker disappeared: FLUSHALL, FLUSHDB),
        /// or another run of the same views replaced the marker.
        case redisLostData
        /// The rows were committed offline, but writing them to Redis failed.
        case onlineWriteFailed
        /// Stale keys that `apply` left for deletion could not be deleted, so nothing was written.
        case cleanupFailed
        /// A value in Redis that this version of Strata cannot read.
        case corruptRecord
    }

    /// Whether the failure is a service's (exit 3), not the input's.
    public var isServiceFailure: Bool {
        code == .redisRestarted || code == .redisLostData || code == .onlineWriteFailed || code == .cleanupFailed
    }

    /// The kind of failure.
    public var code: Code
    /// What was expected and where.
    public var message: String
    /// The failure underneath, if any.
    public var underlying: String?

    /// Creates an error.
    public init(_ code: Code, _ message: String, underlying: String? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
    }

    /// The message, followed by the underlying failure when there is one.
    public var description: String {
        guard let underlying, !message.contains(underlying) else { return message }
        return "\(message): \(underlying)"
    }
}

/// An online-store failure: bad input (an unknown feature, a wrong key type, a malformed CSV row), a
/// view that is not online, or Redis changing under a run. The message says what was expected and where.
public struct OnlineError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure, which decides the exit code (`redisRestarted` is an unreachable service).
    public enum Code: String, Sendable, Hashable {
        /// A feature, view or service that the registry does not hold.
        case unknownFeature
        /// An entity key that is missing, null or of the wrong type.
        case badEntity
        /// A malformed push file or row.
        case badInput
        /// A view that is not materialised into the online store.
        case notOnline
        /// Redis was restarted (or replaced) while a run was writing to it.
        case redisRestarted
        /// A value in Redis that this version of Strata cannot read.
        case corruptRecord
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

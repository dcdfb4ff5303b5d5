/// Why the suites cannot use the servers they were given.
struct BenchServersError: Error, CustomStringConvertible {
    enum Code {
        /// The database holds something that is not the suites' own: exit 2.
        case refused
        /// The server cannot be reached: exit 3.
        case unreachable
    }

    let code: Code
    /// What was expected and where, with the URL's password hidden.
    let message: String
    /// The client library's error, when there is one.
    let cause: (any Error)?

    init(_ code: Code, _ message: String, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    var exitCode: Int32 { code == .refused ? 2 : 3 }

    var description: String { cause.map { "\(message): \($0)" } ?? message }
}

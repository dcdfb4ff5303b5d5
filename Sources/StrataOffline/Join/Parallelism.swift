/// How many PostgreSQL connections read one view's rows for an extraction join (`JoinStrategy.extraction`
/// and `.sortMerge`); the result is the same whatever the number.
public enum Parallelism: Sendable, Hashable, CustomStringConvertible {
    /// Per view, from the source's size and the server's `max_parallel_workers`, as PostgreSQL sizes a
    /// parallel scan (`ExtractionPlanner.automaticConnections`).
    case automatic
    /// Exactly this many connections (at least 1); 1 reads on the registry's own connection.
    case connections(Int)

    /// Parses `auto` or a positive count; nil otherwise.
    public init?(argument: String) {
        if argument == "auto" {
            self = .automatic
        } else if let count = Int(argument), count >= 1, count <= Self.maximum {
            self = .connections(count)
        } else {
            return nil
        }
    }

    /// The most connections one view is read over: each holds a PostgreSQL backend and a thread here.
    public static let maximum = 64

    public var description: String {
        switch self {
        case .automatic: "auto"
        case .connections(let count): String(count)
        }
    }
}

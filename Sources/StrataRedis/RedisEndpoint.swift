/// Where the online store lives: one Redis server (`redis://...`) or a Redis Cluster (`redis+cluster://...`).
public enum RedisEndpoint: Sendable, Hashable, CustomStringConvertible {
    /// One server.
    case server(RedisURL)
    /// A cluster, found from its seed nodes.
    case cluster(RedisClusterURL)

    /// Parses a `redis://` or `redis+cluster://` URL.
    /// - Throws: `RedisError.badURL`, never quoting the password.
    public init(_ string: String) throws {
        self = string.hasPrefix(RedisClusterURL.scheme) ? .cluster(try RedisClusterURL(string)) : .server(try RedisURL(string))
    }

    /// Connects: one connection to a server, or a cluster client that has read the slot map.
    /// - Parameters:
    ///   - connectTimeout: how long connecting to each server may take.
    ///   - timeout: how long each call may wait for a server; nil waits forever.
    /// - Throws: `RedisError.connectionFailed` when no server (or no node of the cluster) answers.
    public func connect(connectTimeout: Duration = .seconds(5), timeout: Duration? = nil) throws -> any RedisClient {
        switch self {
        case .server(let url): try RedisConnection(url: url, connectTimeout: connectTimeout, timeout: timeout)
        case .cluster(let url): try RedisCluster(url: url, connectTimeout: connectTimeout, timeout: timeout)
        }
    }

    /// The URL with its password, suitable for handing to another client; never log it.
    public var absoluteString: String {
        switch self {
        case .server(let url): url.absoluteString
        case .cluster(let url): url.absoluteString
        }
    }

    /// The URL with the password hidden.
    public var redacted: String {
        switch self {
        case .server(let url): url.redacted
        case .cluster(let url): url.redacted
        }
    }

    /// The redacted form, so that printing an endpoint never leaks its password.
    public var description: String { redacted }
}

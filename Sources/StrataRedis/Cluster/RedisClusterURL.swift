/// The address of a Redis Cluster: `redis+cluster://[[user]:password@]host:port[,host:port...]`, the seed nodes
/// from which the client learns the cluster's other nodes (any of them, masters or replicas, will do).
public struct RedisClusterURL: Sendable, Hashable, CustomStringConvertible {
    /// The URL scheme.
    public static let scheme = "redis+cluster://"

    /// One seed node.
    public struct Seed: Sendable, Hashable {
        /// The host name or IP address (IPv6 addresses without brackets).
        public var host: String
        /// The TCP port.
        public var port: Int

        /// Creates a seed.
        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }
    }

    /// The seed nodes, in the order given.
    public var seeds: [Seed]
    /// The ACL user name sent with `AUTH` to every node, if any.
    public var user: String?
    /// The password sent with `AUTH` to every node, if any.
    public var password: String?

    /// Creates a URL from its parts.
    public init(seeds: [Seed], user: String? = nil, password: String? = nil) {
        self.seeds = seeds
        self.user = user
        self.password = password
    }

    /// Parses `redis+cluster://[[user]:password@]host[:port][,host[:port]...][/0][?password=...]`; user and
    /// password follow `RedisURL`'s rules, a port defaults to 6379, and the only database is 0 (Redis Cluster has
    /// no other). Errors never quote the password.
    public init(_ string: String) throws {
        let shown = RedisURL.redact(string)
        func bad(_ reason: String) -> RedisError {
            RedisError(
                code: .badURL,
                message: "bad Redis Cluster URL \(shown): \(reason); expected redis+cluster://[[user]:password@]host:port[,host:port...]",
                url: shown)
        }
        guard string.hasPrefix(Self.scheme) else { throw bad("the scheme must be redis+cluster://") }
        let rest = string.dropFirst(Self.scheme.count)
        let queryStart = rest.firstIndex(of: "?") ?? rest.endIndex
        var userInfo = ""
        var addresses = rest[..<queryStart]
        if let at = addresses.lastIndex(of: "@") {
            userInfo = String(addresses[..<at]) + "@"
            addresses = addresses[addresses.index(after: at)...]
        }
        if let slash = addresses.firstIndex(of: "/") {
            let database = addresses[addresses.index(after: slash)...]
            guard database.isEmpty || database == "0" else {
                throw bad("a Redis Cluster has only database 0, not '\(database.allSatisfy(\.isNumber) ? database : "…")'")
            }
            addresses = addresses[..<slash]
        }
        let query = String(rest[queryStart...])
        var seeds: [Seed] = []
        var credentials: (user: String?, password: String?)?
        for address in addresses.split(separator: ",", omittingEmptySubsequences: false) {
            guard !address.isEmpty else { throw bad("a seed node is empty (two commas, or a comma at an end)") }
            let node: RedisURL
            do {
                node = try RedisURL("redis://\(userInfo)\(address)\(query)")
            } catch let error as RedisError {
                let reason = error.message.split(separator: ": ", maxSplits: 1).last.map(String.init) ?? error.message
                throw bad(String(reason.firstRange(of: "; expected").map { reason[..<$0.lowerBound] } ?? reason[...]))
            }
            seeds.append(Seed(host: node.host, port: node.port))
            credentials = (node.user, node.password)
        }
        guard !seeds.isEmpty else { throw bad("no seed node is given") }
        self.seeds = seeds
        user = credentials?.user
        password = credentials?.password
    }

    /// The URL of one node, with the cluster's credentials.
    public func nodeURL(host: String, port: Int) -> RedisURL {
        RedisURL(host: host, port: port, database: 0, user: user, password: password)
    }

    /// The URL with its password, suitable for handing to another client; never log it.
    public var absoluteString: String {
        format(credentials: seeds.first.map { nodeURL(host: $0.host, port: $0.port).absoluteString })
    }

    /// The URL with the password replaced by `***`, safe for logs and error messages.
    public var redacted: String {
        format(credentials: seeds.first.map { nodeURL(host: $0.host, port: $0.port).redacted })
    }

    /// The redacted form, so that printing a URL never leaks its password.
    public var description: String { redacted }

    /// `redis+cluster://` with the user information of a seed's `redis://` form and every seed's address.
    private func format(credentials node: String?) -> String {
        var prefix = ""
        if let node, let at = node.lastIndex(of: "@") {
            prefix = String(node[node.index(node.startIndex, offsetBy: "redis://".count)...at])
        }
        let addresses = seeds.map { $0.host.contains(":") ? "[\($0.host)]:\($0.port)" : "\($0.host):\($0.port)" }
        return Self.scheme + prefix + addresses.joined(separator: ",")
    }
}

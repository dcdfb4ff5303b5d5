import StrataRedis

/// How `strata serve` runs: where it listens, which stores it reads, and its limits.
public struct ServerConfiguration: Sendable {
    /// The address to bind; loopback unless told otherwise.
    public var host = "127.0.0.1"
    /// The port to bind (Feast's default).
    public var port = 6566
    /// The registry and offline store (a libpq URI).
    public var postgresURL: String
    /// The online store: one Redis server or a Redis Cluster.
    public var redisURL: RedisEndpoint
    /// The project served (default: the only registered one).
    public var project: String?
    /// The bearer token every route but `/health` requires; nil for none.
    public var token: String?
    /// The share of requests written to the served-feature log, 0...1.
    public var logSample = 0.0
    /// The most rows the served-feature log's queue holds before it drops.
    public var logQueueRows = 200_000
    /// The most entities (or pushed rows) per request.
    public var maxEntities = 10_000
    /// The largest request body, in bytes.
    public var maxBody = 1 << 20
    /// The number of worker threads, each with its own Redis connection.
    public var redisConnections = 2
    /// The most requests whose lookups share one pipelined write to Redis (1: no coalescing).
    public var maxPipeline = 64

    /// A configuration with the defaults for everything but the stores.
    public init(postgresURL: String, redisURL: RedisEndpoint) {
        self.postgresURL = postgresURL
        self.redisURL = redisURL
    }

    /// A configuration with the defaults for everything but the stores, the online store being one server.
    public init(postgresURL: String, redisURL: RedisURL) {
        self.init(postgresURL: postgresURL, redisURL: .server(redisURL))
    }
}

import StrataCore
import StrataOnline
import StrataPostgres
import StrataRedis
import StrataRegistry

/// The blocking clients one worker thread owns: a Redis client (a connection, or a cluster client with a
/// connection per master) with its lookup buffers, and a
/// PostgreSQL connection for the rare requests that write offline or load a model. Each is made on
/// first use and remade after a failure, so that a server started while a store is down recovers.
///
/// Not thread-safe: it belongs to one worker thread.
final class WorkerResources {
    private let redisURL: RedisEndpoint
    private let postgresURL: String
    private let project: String
    private var online: OnlineStore?
    private var database: PostgresConnection?
    private var registryOnDatabase: Registry?

    init(redisURL: RedisEndpoint, postgresURL: String, project: String) {
        self.redisURL = redisURL
        self.postgresURL = postgresURL
        self.project = project
    }

    /// The lookup store over this worker's Redis connection. It only ever runs prepared queries, so the
    /// repository it is made with does not matter: queries come from the current registry snapshot.
    func store() throws -> OnlineStore {
        if let online { return online }
        let redis = try redisURL.connect(connectTimeout: .seconds(1), timeout: .seconds(2))
        let store = OnlineStore(redis: redis, repository: Repository(project: project))
        online = store
        return store
    }

    /// This worker's Redis client.
    func redis() throws -> any RedisClient {
        try store().redis
    }

    /// How many times this worker's Redis connection was (re)established.
    var redisConnections: Int { online?.redis.connectionCount ?? 0 }

    /// This worker's PostgreSQL connection, reconnected when it broke.
    func postgres() throws -> PostgresConnection {
        if let database, database.isHealthy { return database }
        database = nil
        registryOnDatabase = nil
        let fresh = try PostgresConnection(url: postgresURL, connectTimeoutSeconds: 2)
        database = fresh
        return fresh
    }

    /// The registry over this worker's PostgreSQL connection.
    func registry() throws -> Registry {
        let connection = try postgres()
        if let registryOnDatabase, registryOnDatabase.connection === connection { return registryOnDatabase }
        let registry = try Registry(connection: connection)
        registryOnDatabase = registry
        return registry
    }
}

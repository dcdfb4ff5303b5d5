import Foundation
import StrataEmbedded
import StrataRedis

/// The Redis Cluster shared by the cluster tests of one test process: three masters and three replicas in a
/// throwaway folder, started on first use and stopped when the process exits (or, if it dies first, by the next
/// start of throwaway servers).
///
/// The tests that use it run one at a time (a serialized suite): each empties it first, and one that kills or
/// moves things leaves it healthy again, three masters each followed by a replica.
public final class TestCluster: @unchecked Sendable {
    /// The cluster.
    public private(set) var cluster: LocalRedisCluster
    private let lock = NSLock()

    /// The shared cluster, started on first use; throws when it cannot be started.
    public static var shared: TestCluster {
        get throws { try startup.get() }
    }

    private static let startup = Result {
        let cluster = TestCluster(try LocalRedisCluster.start(nodeTimeout: .seconds(2)))
        atexit { TestCluster.stopShared() }
        return cluster
    }

    private init(_ cluster: LocalRedisCluster) {
        self.cluster = cluster
    }

    /// `redis+cluster://` with the password: hand it to a client or a child process, never print it.
    public var url: String { cluster.url }

    /// A new client of the cluster.
    public func client(timeout: Duration = .seconds(30)) throws -> RedisCluster {
        try RedisCluster(url: RedisClusterURL(cluster.url), timeout: timeout)
    }

    /// Deletes every key on every master (the loaded functions stay) and waits until the replicas follow.
    public func flush() throws {
        let client = try client()
        _ = try client.commandOnEachServer(["FLUSHALL"])
        try waitForReplicas(client)
    }

    /// Waits until each master's replica has acknowledged every write so far, so that a failover loses nothing.
    public func waitForReplicas(_ client: RedisCluster) throws {
        for reply in try client.commandOnEachServer(["WAIT", "1", "10000"]) where reply.integer != 1 {
            throw TestServices.Failure(description: "a replica of the test cluster did not acknowledge the writes: \(reply)")
        }
    }

    /// Starts node `index` again after it was killed, and waits until the cluster is healthy again.
    public func restartNode(_ index: Int) throws {
        lock.lock()
        defer { lock.unlock() }
        try cluster.restartNode(index)
        try cluster.waitUntilHealthy()
    }

    private static func stopShared() {
        guard case .success(let shared) = startup else { return }
        try? shared.cluster.stop()
    }
}

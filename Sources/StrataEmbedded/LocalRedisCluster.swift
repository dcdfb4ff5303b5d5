import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A Redis Cluster owned by Strata: three masters and a replica of each, six `LocalRedis` servers with
/// `cluster-enabled yes` in the folders `node-1` ... `node-6` of one folder, on loopback ports.
///
/// Every node requires the same password, which replicas also use to reach their masters (`masterauth`, kept in
/// `redis.conf`, never on the command line). Ports are at most 55535, because each node also listens on its
/// port + 10000 for the cluster bus. The cluster is formed once with `redis-cli --cluster create ...
/// --cluster-replicas 1 --cluster-yes`; each node keeps what it learnt in `nodes.conf`, so the same nodes
/// started again on the same ports form the same cluster (with their data, when persistent).
public struct LocalRedisCluster: Sendable, Hashable, CustomStringConvertible {
    /// The number of masters.
    public static let masterCount = 3
    /// The number of nodes: each master and one replica of it.
    public static let nodeCount = 2 * masterCount
    /// The highest port a node may use: the cluster bus listens on the port + 10000.
    public static let highestPort = 55_535

    /// The folder holding the nodes' folders.
    public let directory: String
    /// The password of every node, if any; never print it.
    public let password: String?
    /// Whether the nodes keep their data in append-only files across restarts.
    public let persistent: Bool
    /// The nodes, in the order of their folders.
    public private(set) var nodes: [LocalRedis]
    private let ownsDirectory: Bool

    /// The nodes' ports.
    public var ports: [Int] { nodes.map(\.port) }

    /// `redis+cluster://` with the password and every node as a seed: hand it to a client, never print it.
    public var url: String {
        let credentials = password.map { ":\($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? $0)@" }
        return "redis+cluster://\(credentials ?? "")" + ports.map { "127.0.0.1:\($0)" }.joined(separator: ",")
    }

    /// The URL with the password hidden, for messages.
    public var redactedURL: String {
        "redis+cluster://\(password == nil ? "" : ":***@")" + ports.map { "127.0.0.1:\($0)" }.joined(separator: ",")
    }

    /// The cluster, its URL without the password.
    public var description: String { "Redis Cluster at \(redactedURL) (folder \(directory))" }

    /// The folder of node `index` (from 1).
    public static func nodeDirectory(_ directory: String, _ index: Int) -> String {
        "\(directory)/node-\(index)"
    }

    /// The cluster running on `directory`, if every one of its nodes runs.
    public static func running(directory: String) -> LocalRedisCluster? {
        let root = Paths.absolute(directory)
        var nodes: [LocalRedis] = []
        for index in 1...nodeCount {
            guard let node = LocalRedis.running(directory: nodeDirectory(root, index)) else { return nil }
            nodes.append(node)
        }
        return LocalRedisCluster(
            directory: root, password: nodes[0].password, persistent: nodes[0].persistent, nodes: nodes, ownsDirectory: false)
    }

    /// Starts whichever nodes do not run, forms the cluster if its nodes never formed one, and waits until every
    /// slot is served and every replica follows its master.
    ///
    /// - Parameters:
    ///   - directory: the folder for the nodes' folders; nil makes a fresh one under /tmp that `stop()` removes
    ///     (and that the next start of a throwaway server removes, with its nodes, if this process dies first).
    ///   - password: the password every node requires; a fresh random one unless given; nil for none.
    ///   - persistent: whether the nodes keep their data in append-only files.
    ///   - nodeTimeout: how long a master may not answer before its replica takes over (`cluster-node-timeout`).
    /// - Throws: `LocalServicesError` when a node does not start, a port a formed cluster needs is taken, or the
    ///   cluster does not become healthy within a minute.
    public static func start(
        directory: String? = nil, password: String? = LocalCredentials.generatePassword(), persistent: Bool = false,
        nodeTimeout: Duration = .seconds(5)
    ) throws -> LocalRedisCluster {
        let folder: String
        if let directory {
            folder = Paths.absolute(directory)
            try Paths.createPrivateDirectory(folder)
        } else {
            ThrowawayFolders.reapOrphans()
            folder = try ThrowawayFolders.create(prefix: "strata-cluster")
        }
        var started: [LocalRedis] = []
        do {
            let formed = isFormed(folder)
            var taken = Set<Int>()
            var nodes: [LocalRedis] = []
            for index in 1...nodeCount {
                let nodeFolder = nodeDirectory(folder, index)
                if let running = LocalRedis.running(directory: nodeFolder), running.password == password,
                   running.persistent == persistent {
                    nodes.append(running)
                    taken.insert(running.port)
                    continue
                }
                try LocalRedis.running(directory: nodeFolder)?.stop()
                let port = try port(for: nodeFolder, formed: formed, taken: taken)
                taken.insert(port)
                let node = try LocalRedis.start(
                    directory: nodeFolder, port: port, password: password, persistent: persistent,
                    settings: settings(password: password, nodeTimeout: nodeTimeout))
                started.append(node)
                nodes.append(node)
            }
            let cluster = LocalRedisCluster(
                directory: folder, password: password, persistent: persistent, nodes: nodes, ownsDirectory: directory == nil)
            if !formed { try cluster.form() }
            try cluster.waitUntilHealthy()
            return cluster
        } catch {
            for node in started { try? node.stop() }
            if directory == nil { try? FileManager.default.removeItem(atPath: folder) }
            throw error
        }
    }

    /// Stops every node (SIGTERM: a persistent node writes its append-only file first), removing the folder if
    /// `start` created it.
    public func stop() throws {
        var failure: (any Error)?
        for node in nodes {
            do { try node.stop() } catch { failure = failure ?? error }
        }
        if ownsDirectory { try? FileManager.default.removeItem(atPath: directory) }
        if let failure { throw failure }
    }

    /// Starts node `index` (from 0) again on its port after it stopped or was killed; it rejoins the cluster
    /// (as a replica, when its replica took over meanwhile).
    public mutating func restartNode(_ index: Int) throws {
        try nodes[index].restart()
    }

    /// Kills node `index` (from 0) with SIGKILL, as a crash would: its replica takes over after the node timeout.
    public func killNode(_ index: Int) {
        kill(nodes[index].pid, SIGKILL)
    }

    /// The indices (from 0) of the nodes that are masters now, as each node reports its own role.
    public func masterIndices() throws -> [Int] {
        try nodes.indices.filter { try ask(nodes[$0], ["INFO", "replication"]).contains("role:master") }
    }

    /// Moves `slots` hash slots, with their keys, from master `source` to master `target` (indices from 0) with
    /// `redis-cli --cluster reshard`, while clients keep working (they meet `ASK` and `MOVED` redirects).
    /// First waits (up to a minute) until every node agrees on the slot map, which `redis-cli` requires: after
    /// a failover or an earlier resharding, the nodes learn the new map by gossip within a few seconds.
    public func reshard(slots: Int, from source: Int, to target: Int) throws {
        let client = try Self.redisCLI()
        let environment = password.map { ["REDISCLI_AUTH": $0] } ?? [:]
        let check = ["--cluster", "check", "127.0.0.1:\(nodes[source].port)"]
        var disagreement = ""
        let agreed = ProcessProbe.wait(upTo: .seconds(60)) {
            guard let output = try? ProcessRunner.run(client, check, environment: environment) else { return false }
            disagreement = output.text
            return output.status == 0 && !output.text.contains("[ERR]")
        }
        guard agreed else {
            throw LocalServicesError(
                code: .commandFailed, message: "the nodes of the Redis Cluster in \(directory) do not agree on the slot map",
                underlying: disagreement)
        }
        let sourceID = try ask(nodes[source], ["CLUSTER", "MYID"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let targetID = try ask(nodes[target], ["CLUSTER", "MYID"]).trimmingCharacters(in: .whitespacesAndNewlines)
        _ = try ProcessRunner.check(
            client,
            ["--cluster", "reshard", "127.0.0.1:\(nodes[source].port)", "--cluster-from", sourceID, "--cluster-to", targetID,
             "--cluster-slots", String(slots), "--cluster-yes", "--cluster-pipeline", "100"],
            environment: environment,
            doing: "moving \(slots) slots from Redis node \(nodes[source].port) to \(nodes[target].port)")
    }

    /// Waits until every node sees a healthy cluster: every slot served by one of `masterCount` masters, each
    /// master followed by a replica whose link is up.
    /// - Throws: `LocalServicesError.startFailed` after `timeout`, with the last thing that was wrong.
    public func waitUntilHealthy(timeout: Duration = .seconds(60)) throws {
        var problem = ""
        let healthy = ProcessProbe.wait(upTo: timeout) {
            do {
                problem = try healthProblem() ?? ""
                return problem.isEmpty
            } catch {
                problem = "\(error)"
                return false
            }
        }
        guard healthy else {
            throw LocalServicesError(
                code: .startFailed, message: "the Redis Cluster in \(directory) did not become healthy; see the nodes' redis.log",
                underlying: problem)
        }
    }

    /// What keeps the cluster from being healthy, or nil when it is.
    private func healthProblem() throws -> String? {
        var replicas = 0
        for node in nodes {
            let info = try ask(node, ["CLUSTER", "INFO"])
            guard info.contains("cluster_state:ok") else { return "node \(node.port) reports the cluster is not ok" }
            guard info.contains("cluster_known_nodes:\(Self.nodeCount)"), info.contains("cluster_size:\(Self.masterCount)") else {
                return "node \(node.port) does not see \(Self.nodeCount) nodes and \(Self.masterCount) masters yet"
            }
            let replication = try ask(node, ["INFO", "replication"])
            if replication.contains("role:slave") {
                guard replication.contains("master_link_status:up") else { return "replica \(node.port) is not linked to its master" }
                replicas += 1
            }
        }
        return replicas == Self.masterCount ? nil : "\(replicas) of \(Self.masterCount) replicas follow a master"
    }

    /// `redis-cli --cluster create` over every node, the password passed in the environment.
    private func form() throws {
        let client = try Self.redisCLI()
        let addresses = ports.map { "127.0.0.1:\($0)" }
        try ProcessRunner.check(
            client, ["--cluster", "create"] + addresses + ["--cluster-replicas", "1", "--cluster-yes"],
            environment: password.map { ["REDISCLI_AUTH": $0] } ?? [:],
            doing: "forming a Redis Cluster of \(addresses.joined(separator: " "))")
    }

    private func ask(_ node: LocalRedis, _ arguments: [String]) throws -> String {
        try ProcessRunner.check(
            try Self.redisCLI(), ["-h", "127.0.0.1", "-p", String(node.port)] + arguments,
            environment: password.map { ["REDISCLI_AUTH": $0] } ?? [:], doing: "asking Redis node \(node.port)")
    }

    private static func redisCLI() throws -> String {
        guard let client = ExecutableSearch.find("redis-cli", alsoIn: ["/usr/bin", "/usr/local/bin"]) else {
            throw LocalServicesError(
                code: .binaryNotFound, message: "redis-cli was not found on PATH; install it: apt-get install -y redis-tools")
        }
        return client
    }

    /// The `redis.conf` lines that make a node a cluster node.
    private static func settings(password: String?, nodeTimeout: Duration) -> [String] {
        let milliseconds = nodeTimeout.components.seconds * 1000 + nodeTimeout.components.attoseconds / 1_000_000_000_000_000
        return ["cluster-enabled yes", "cluster-config-file nodes.conf", "cluster-node-timeout \(milliseconds)"]
            + (password.map { ["masterauth \(LocalRedis.quoted($0))"] } ?? [])
    }

    /// Whether the nodes of `directory` formed a cluster before: the first node's `nodes.conf` knows every node.
    private static func isFormed(_ directory: String) -> Bool {
        guard let text = try? String(contentsOfFile: "\(nodeDirectory(directory, 1))/nodes.conf", encoding: .utf8) else {
            return false
        }
        return text.split(separator: "\n").count { !$0.hasPrefix("vars ") && !$0.isEmpty } >= nodeCount
    }

    /// The port of a node: the one it had when its cluster is formed (the others know it by that port), else a
    /// free one at most `highestPort` whose cluster-bus port is free too.
    private static func port(for nodeFolder: String, formed: Bool, taken: Set<Int>) throws -> Int {
        if formed, let text = try? String(contentsOfFile: "\(nodeFolder)/redis.conf", encoding: .utf8),
           let line = text.split(separator: "\n").first(where: { $0.hasPrefix("port ") }),
           let port = Int(line.dropFirst("port ".count)) {
            guard Loopback.isFree(port), Loopback.isFree(port + 10_000) else {
                throw LocalServicesError(
                    code: .startFailed,
                    message: "port \(port) (or its cluster-bus port \(port + 10_000)) of the Redis Cluster node in \(nodeFolder) is taken; the cluster's other nodes know the node by that port: free it, or delete \(nodeFolder)/.. to make a new cluster")
            }
            return port
        }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<1_000 {
            let port = Int.random(in: 20_000...highestPort, using: &generator)
            if !taken.contains(port), Loopback.isFree(port), Loopback.isFree(port + 10_000) { return port }
        }
        throw LocalServicesError(
            code: .startFailed, message: "could not find a free port at most \(highestPort) with a free cluster-bus port on 127.0.0.1")
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A client of a Redis Cluster with the pipeline API of `RedisConnection`.
///
/// It reads the slot map (`CLUSTER SHARDS`, or `CLUSTER SLOTS` before Redis 7) from the seed nodes, routes
/// each command by the CRC16 of its key's hash tag, queues each master's share of a pipeline on that master's
/// connection, sends every share before reading any reply (so the masters work at once), and reads the replies
/// back in request order (`ClusterReplyMerger`). A `MOVED` reply makes it read the slot map again and resend
/// the command where the reply says; `ASK` resends it once after `ASKING`; `TRYAGAIN` and `CLUSTERDOWN` resend
/// it after a short wait, for a few rounds. Resent commands go over a second connection per node, so the
/// replies still queued on the first stay in order. A lost connection fails the pipeline (as on one server),
/// closes the connections that had replies pending, and makes the next call read the slot map again, which
/// is how a failover is followed.
///
/// Not thread-safe: one owner at a time. It is `Sendable` so that a pool can hand it from task to task.
public final class RedisCluster: RedisClient, @unchecked Sendable {
    /// The cluster's seed nodes and credentials.
    public let url: RedisClusterURL
    /// How long connecting to each node may take.
    public let connectTimeout: Duration
    /// How long each call may wait for a node; nil waits forever.
    public var timeout: Duration? {
        didSet {
            for node in nodes {
                node.main?.timeout = timeout
                node.side?.timeout = timeout
            }
        }
    }

    /// How many times the slot map was read (once at start, then after redirects and failures).
    public private(set) var slotMapReads = 0

    /// The most rounds of resending for commands that keep being redirected.
    static let redirectRounds = 6

    private var map = ClusterSlotMap()
    /// Every node ever routed to; indices stay valid while the slot map changes.
    private var nodes: [Node] = []
    /// Per master of `map`, its index in `nodes`.
    private var masterNodes: [Int] = []
    private var stale = true
    /// Queued commands in request order, whose replies are not read yet; those before `head` are read.
    private var queue: [Queued] = []
    private var head = 0
    private let scratch = RedisCommandBuffer()

    /// A queued command: the node it was sent to and its bytes in that node's staged buffer.
    private struct Queued {
        var node: Int
        var start: Int
        var end: Int
    }

    /// One node: its connections and its share of the pipeline.
    private final class Node {
        let host: String
        let port: Int
        /// The connection pipelines go over; made on first use.
        var main: RedisConnection?
        /// The connection redirected commands are resent over; made on first use.
        var side: RedisConnection?
        /// The commands routed to this node since the queue was last empty, kept for resending.
        let staged = RedisCommandBuffer()
        /// How much of `staged` was handed to `main`.
        var sentBytes = 0
        var sentCommands = 0

        init(host: String, port: Int) {
            self.host = host
            self.port = port
        }
    }

    /// Reads the slot map from the first seed (or other node) that answers.
    /// - Throws: `RedisError.connectionFailed` when no node answers with a slot map.
    public init(url: RedisClusterURL, connectTimeout: Duration = .seconds(5), timeout: Duration? = nil) throws {
        self.url = url
        self.connectTimeout = connectTimeout
        self.timeout = timeout
        try refresh()
    }

    /// The cluster's URL with the password hidden.
    public var redactedURL: String { url.redacted }

    /// True.
    public var isCluster: Bool { true }

    /// Commands queued with `append` whose replies have not been read yet.
    public var pendingReplies: Int { queue.count - head }

    /// How many connections to nodes were established so far, reconnections included.
    public var connectionCount: Int {
        nodes.reduce(0) { $0 + ($1.main?.connectionCount ?? 0) + ($1.side?.connectionCount ?? 0) }
    }

    /// The masters of the slot map as `host:port`, in the order the cluster lists them.
    public var masters: [String] { map.masters.map(\.address) }

    /// The master serving `slot`, as `host:port`, per the client's slot map.
    public func master(ofSlot slot: Int) -> String? {
        map.owner(ofSlot: slot).map { map.masters[$0].address }
    }

    // MARK: - RedisClient

    /// Sends one command, routed by its key (a command without keys goes to the first master), and returns
    /// its reply; an error reply throws `.serverError`.
    public func command(_ arguments: [String]) throws -> RedisReply {
        try command(arguments.map { Array($0.utf8) })
    }

    /// Sends one command, routed by its key, and returns its reply; an error reply throws `.serverError`.
    public func command(_ arguments: [[UInt8]]) throws -> RedisReply {
        precondition(pendingReplies == 0, "read the \(pendingReplies) queued replies before sending a command")
        scratch.removeAll()
        scratch.append(arguments)
        try append(scratch)
        var reply = RedisReply.null
        try readReplies(1) { _, view in reply = view.reply }
        if case .error(let detail) = reply {
            throw RedisError(
                code: .serverError, message: "Redis Cluster at \(url.redacted) replied with an error: \(detail)",
                url: url.redacted, underlying: detail)
        }
        return reply
    }

    /// Routes every command of `commands` to the master serving its key's slot and queues it there; nothing is
    /// sent until a reply is read.
    /// - Throws: `RedisError.clusterDown` when no master serves a key's slot; `.connectionFailed` when the slot
    ///   map cannot be read.
    /// - Complexity: O(n) in the encoded size.
    public func append(_ commands: RedisCommandBuffer) throws {
        guard commands.commandCount > 0 else { return }
        if stale { try refresh() }
        do {
            try commands.withEncodedBytes { bytes in
                try RESPCommandScanner.scan(bytes) { command in
                    let target = try route(command.key.map { UnsafeRawBufferPointer(rebasing: bytes[$0]) })
                    let node = nodes[target]
                    let start = node.staged.byteCount
                    node.staged.appendEncoded(UnsafeRawBufferPointer(rebasing: bytes[command.range]), commands: 1)
                    queue.append(Queued(node: target, start: start, end: node.staged.byteCount))
                }
            }
        } catch {
            abandonPipeline()
            throw error
        }
    }

    /// Sends every master its share of what is queued, then lends the next `count` replies in request order to
    /// `body`, following redirects first; error replies other than redirects are passed on, not thrown.
    ///
    /// The views are valid only inside `body`. When `body` throws, the remaining replies are still read and the
    /// first error is rethrown at the end.
    /// - Throws: `RedisError` when a node's connection fails (the pipeline is then dropped: every queued reply
    ///   is gone) or a command is still redirected after a few rounds (`.clusterDown`).
    public func readReplies(_ count: Int, _ body: (Int, RedisReplyView) throws -> Void) throws {
        precondition(count <= pendingReplies, "readReplies(\(count)) called with \(pendingReplies) commands queued")
        guard count > 0 else { return }
        let base = head
        var round = 0
        let failure: Error?
        do {
            try sendQueued()
            failure = try ClusterReplyMerger.merge(
                count: count, rounds: Self.redirectRounds,
                node: { queue[base + $0].node },
                next: { try mainConnection(nodes[$0]).takeReply() },
                redirect: Self.redirect(in:),
                resend: { requests in
                    defer { round += 1 }
                    return try resend(requests, base: base, round: round)
                },
                unresolved: { position, redirect in
                    RedisError(
                        code: .clusterDown,
                        message: "Redis Cluster at \(url.redacted) still answered \(redirect) for a command after \(Self.redirectRounds) retries (a failover or resharding in progress); try again",
                        url: url.redacted)
                },
                release: { HiredisContext.freeReply($0) },
                deliver: { position, reply in try body(position, RedisReplyView(reply)) })
        } catch {
            abandonPipeline()
            throw inCluster(error)
        }
        head += count
        if head == queue.count { resetQueue() }
        if let failure { throw failure }
    }

    /// Sends all commands in one round trip per master and returns their replies in order; error replies are
    /// returned, not thrown.
    public func pipeline(_ commands: [[String]]) throws -> [RedisReply] {
        try pipeline(commands.map { $0.map { Array($0.utf8) } })
    }

    /// Sends all commands, given as byte strings, in one round trip per master and returns their replies in order.
    public func pipeline(_ commands: [[[UInt8]]]) throws -> [RedisReply] {
        precondition(pendingReplies == 0, "read the \(pendingReplies) queued replies before a pipeline")
        guard !commands.isEmpty else { return [] }
        let buffer = RedisCommandBuffer()
        for command in commands { buffer.append(command) }
        try append(buffer)
        var replies: [RedisReply] = []
        replies.reserveCapacity(commands.count)
        try readReplies(commands.count) { _, view in replies.append(view.reply) }
        return replies
    }

    /// Sends a command without keys to every master and returns their replies, in the masters' order.
    /// - Throws: `.serverError` for an error reply; connection errors (the next call then reads the slot map).
    public func commandOnEachServer(_ arguments: [String]) throws -> [RedisReply] {
        precondition(pendingReplies == 0, "read the \(pendingReplies) queued replies before sending a command")
        if stale { try refresh() }
        do {
            return try masterNodes.map { try mainConnection(nodes[$0]).command(arguments) }
        } catch let error as RedisError where error.code != .serverError {
            stale = true
            throw inCluster(error)
        }
    }

    /// Scans every master in turn.
    public func scan(matching pattern: String, _ body: ([[UInt8]]) throws -> Void) throws {
        precondition(pendingReplies == 0, "read the \(pendingReplies) queued replies before a scan")
        if stale { try refresh() }
        do {
            for index in masterNodes { try mainConnection(nodes[index]).scan(matching: pattern, body) }
        } catch let error as RedisError where error.code != .serverError {
            stale = true
            throw inCluster(error)
        }
    }

    /// The index of the master serving `key`'s slot in the slot map (0 when none does).
    public func serverIndex(forKey key: UnsafeRawBufferPointer) -> Int {
        map.owner(ofSlot: RedisClusterSlot.slot(ofKey: key)) ?? 0
    }

    /// A node's lost or refused connection, said as a failure of the cluster: which node, and what to expect.
    private func inCluster(_ error: any Error) -> any Error {
        guard let error = error as? RedisError, [.connectionFailed, .connectionLost, .timeout].contains(error.code),
              let node = error.url, node != url.redacted
        else { return error }
        return RedisError(
            code: error.code,
            message: "a node of the Redis Cluster at \(url.redacted) failed (\(error.message)); if a master went down, its replica takes over within the cluster's node timeout: run the command again",
            url: url.redacted, underlying: error.underlying)
    }

    // MARK: - Routing

    /// The node serving `key`'s slot; the first master for a command without a key.
    private func route(_ key: UnsafeRawBufferPointer?) throws -> Int {
        guard let key else {
            guard let first = masterNodes.first else { throw noMaster(slot: nil) }
            return first
        }
        let slot = RedisClusterSlot.slot(ofKey: key)
        guard let owner = map.owner(ofSlot: slot) else { throw noMaster(slot: slot) }
        return masterNodes[owner]
    }

    private func noMaster(slot: Int?) -> RedisError {
        stale = true
        let what = slot.map { "slot \($0)" } ?? "any slot"
        return RedisError(
            code: .clusterDown,
            message: "no master of the Redis Cluster at \(url.redacted) serves \(what) (the cluster is being set up or lost a master)",
            url: url.redacted)
    }

    /// The index in `nodes` of the node at `host:port`, added when new.
    private func nodeIndex(host: String, port: Int) -> Int {
        if let index = nodes.firstIndex(where: { $0.host == host && $0.port == port }) { return index }
        nodes.append(Node(host: host, port: port))
        return nodes.count - 1
    }

    private func mainConnection(_ node: Node) throws -> RedisConnection {
        try connection(node, \.main)
    }

    private func sideConnection(_ node: Node) throws -> RedisConnection {
        try connection(node, \.side)
    }

    /// The node's connection kept at `slot`, made on first use.
    private func connection(_ node: Node, _ slot: ReferenceWritableKeyPath<Node, RedisConnection?>) throws -> RedisConnection {
        if let existing = node[keyPath: slot] { return existing }
        let connection = try RedisConnection(
            url: url.nodeURL(host: node.host, port: node.port), connectTimeout: connectTimeout, timeout: timeout)
        node[keyPath: slot] = connection
        return connection
    }

    // MARK: - Pipelines

    /// Hands each node its unsent commands, then writes them all out before any reply is read.
    private func sendQueued() throws {
        var written: [RedisConnection] = []
        for node in nodes where node.staged.byteCount > node.sentBytes {
            let connection = try mainConnection(node)
            try node.staged.withEncodedBytes { bytes in
                try connection.appendEncoded(
                    UnsafeRawBufferPointer(rebasing: bytes[node.sentBytes...]), commands: node.staged.commandCount - node.sentCommands)
            }
            node.sentBytes = node.staged.byteCount
            node.sentCommands = node.staged.commandCount
            written.append(connection)
        }
        for connection in written { try connection.flush() }
    }

    /// The redirect an error reply holds; other replies are inspected no further than their first byte.
    private static func redirect(in reply: UnsafeMutableRawPointer) -> ClusterRedirect? {
        let view = RedisReplyView(reply)
        guard view.kind == .error, let bytes = view.bytes, let first = bytes.first,
              first == UInt8(ascii: "M") || first == UInt8(ascii: "A") || first == UInt8(ascii: "T") || first == UInt8(ascii: "C")
        else { return nil }
        return ClusterRedirect(String(decoding: bytes, as: UTF8.self), replyingHost: "")
    }

    /// Sends the redirected commands again over the side connections and returns their replies in the order asked.
    private func resend(
        _ requests: [(position: Int, redirect: ClusterRedirect)], base: Int, round: Int
    ) throws -> [UnsafeMutableRawPointer] {
        if requests.contains(where: \.redirect.waits) {
            usleep(UInt32(min(20_000 << round, 500_000)))
        }
        if requests.contains(where: { if case .ask = $0.redirect { false } else { true } }) {
            try refresh()
        }
        var targets: [(node: Int, asking: Bool)] = []
        targets.reserveCapacity(requests.count)
        for request in requests {
            let entry = queue[base + request.position]
            let origin = nodes[entry.node]
            switch request.redirect {
            case .moved(_, let host, let port):
                targets.append((nodeIndex(host: host.isEmpty ? origin.host : host, port: port), false))
            case .ask(_, let host, let port):
                targets.append((nodeIndex(host: host.isEmpty ? origin.host : host, port: port), true))
            case .tryAgain, .clusterDown:
                let key = try origin.staged.withEncodedBytes { bytes -> Int in
                    var found: Int?
                    let command = UnsafeRawBufferPointer(rebasing: bytes[entry.start..<entry.end])
                    try RESPCommandScanner.scan(command) { scanned in
                        found = try route(scanned.key.map { UnsafeRawBufferPointer(rebasing: command[$0]) })
                    }
                    return found ?? entry.node
                }
                targets.append((key, false))
            }
        }
        var touched: Set<Int> = []
        for (request, target) in zip(requests, targets) {
            let connection = try sideConnection(nodes[target.node])
            let entry = queue[base + request.position]
            if target.asking { try connection.appendEncoded(Self.asking, commands: 1) }
            try nodes[entry.node].staged.withEncodedBytes { bytes in
                try connection.appendEncoded(UnsafeRawBufferPointer(rebasing: bytes[entry.start..<entry.end]), commands: 1)
            }
            touched.insert(target.node)
        }
        for node in touched { try sideConnection(nodes[node]).flush() }
        var replies: [UnsafeMutableRawPointer] = []
        replies.reserveCapacity(requests.count)
        do {
            for target in targets {
                let connection = try sideConnection(nodes[target.node])
                if target.asking { HiredisContext.freeReply(try connection.takeReply()) }
                replies.append(try connection.takeReply())
            }
        } catch {
            replies.forEach(HiredisContext.freeReply)
            throw error
        }
        return replies
    }

    private static let askingCommand: StaticString = "*1\r\n$6\r\nASKING\r\n"
    private static var asking: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: askingCommand.utf8Start, count: askingCommand.utf8CodeUnitCount)
    }

    /// After a failure mid-pipeline: closes every connection with replies pending (they would come out of
    /// order), forgets the queue, and reads the slot map again on the next call.
    private func abandonPipeline() {
        for node in nodes {
            if let main = node.main, main.pendingReplies > 0 { main.disconnect() }
            if let side = node.side, side.pendingReplies > 0 { side.disconnect() }
        }
        resetQueue()
        stale = true
    }

    private func resetQueue() {
        queue.removeAll(keepingCapacity: true)
        head = 0
        for node in nodes {
            node.staged.removeAll()
            node.sentBytes = 0
            node.sentCommands = 0
        }
    }

    // MARK: - Slot map

    /// Reads the slot map from the known masters, then their replicas, then the seeds; the first node that
    /// answers with slots wins.
    private func refresh() throws {
        var candidates: [(host: String, port: Int)] = []
        for node in map.masters + map.replicas { candidates.append((node.host, node.port)) }
        for seed in url.seeds { candidates.append((seed.host, seed.port)) }
        var tried: Set<String> = []
        var failures: [String] = []
        for candidate in candidates where tried.insert("\(candidate.host):\(candidate.port)").inserted {
            do {
                let probe = try RedisConnection(
                    url: url.nodeURL(host: candidate.host, port: candidate.port),
                    connectTimeout: min(connectTimeout, .seconds(2)), timeout: timeout ?? .seconds(10))
                let found = try Self.readSlotMap(probe)
                guard found.assignedSlots > 0 else {
                    failures.append("\(probe.url.redacted) serves no slots yet")
                    continue
                }
                install(found)
                return
            } catch let error as RedisError {
                if error.code == .badURL { throw error }
                failures.append(error.description)
            }
        }
        throw RedisError(
            code: .connectionFailed,
            message: "could not read the slot map of the Redis Cluster at \(url.redacted): no node answered",
            url: url.redacted, underlying: failures.joined(separator: "; "))
    }

    private func install(_ found: ClusterSlotMap) {
        map = found
        masterNodes = found.masters.map { nodeIndex(host: $0.host, port: $0.port) }
        stale = false
        slotMapReads += 1
    }

    /// `CLUSTER SHARDS`, or `CLUSTER SLOTS` from a server older than Redis 7.
    private static func readSlotMap(_ connection: RedisConnection) throws -> ClusterSlotMap {
        do {
            return try ClusterSlotMap(shards: try connection.command(["CLUSTER", "SHARDS"]))
        } catch let error as RedisError where error.code == .serverError {
            if error.underlying?.contains("cluster support disabled") == true {
                throw RedisError(
                    code: .badURL,
                    message: "\(connection.url.redacted) is not a Redis Cluster node (cluster support is disabled): give it as redis://...",
                    url: connection.url.redacted, underlying: error.underlying)
            }
            return try ClusterSlotMap(slots: try connection.command(["CLUSTER", "SLOTS"]))
        }
    }
}

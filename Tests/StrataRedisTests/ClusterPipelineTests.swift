@testable import StrataRedis
import Testing

@Suite("Redis Cluster: finding keys in pipelines, reading slot maps and redirects, merging replies")
struct ClusterPipelineTests {
    /// The commands of `buffer` as (command bytes, key) pairs.
    static func scanned(_ buffer: RedisCommandBuffer) throws -> [(String, String?)] {
        try buffer.withEncodedBytes { bytes in
            var found: [(String, String?)] = []
            try RESPCommandScanner.scan(bytes) { command in
                found.append((
                    String(decoding: UnsafeRawBufferPointer(rebasing: bytes[command.range]), as: UTF8.self),
                    command.key.map { String(decoding: UnsafeRawBufferPointer(rebasing: bytes[$0]), as: UTF8.self) }))
            }
            return found
        }
    }

    @Test func theScannerFindsEachCommandsRoutingKey() throws {
        let buffer = RedisCommandBuffer()
        let commands: [[String]] = [
            ["HGET", "s:shop:user_stats:{3fa0}", "\r\n{binary}"],
            ["fcall", "strata_put", "2", "s:a:{0001}", "s:a:{0002}", "0", "f", "r"],
            ["FCALL", "strata_put_local", "1", "s:a:{0003}", "3", "x"],
            ["FCALL", "noop", "0"],
            ["PING"], ["INFO", "server"], ["FUNCTION", "LOAD", "REPLACE", "#!lua"],
            ["MEMORY", "USAGE", "m:{shop}"], ["UNLINK", "k"], ["HSET", "m:shop:{0000}", "v|run", "t"],
        ]
        for command in commands { buffer.append(command.map { Array($0.utf8) }) }
        let found = try Self.scanned(buffer)
        #expect(found.map(\.1) == [
            "s:shop:user_stats:{3fa0}", "s:a:{0001}", "s:a:{0003}", nil, nil, nil, nil, "m:{shop}", "k", "m:shop:{0000}",
        ])
        #expect(found[0].0 == "*3\r\n$4\r\nHGET\r\n$24\r\ns:shop:user_stats:{3fa0}\r\n$10\r\n\r\n{binary}\r\n")
        #expect(found.map(\.0).joined() == buffer.withEncodedBytes { String(decoding: $0, as: UTF8.self) })
    }

    @Test(arguments: ["*1\r\n$4\r\nPIN", "*2\r\n$4\r\nPING\r\n", "$4\r\nPING\r\n", "*1\r\n$x\r\nPING\r\n", "*0\r\n", "*1\r\n$4\r\nPINGxx"])
    func theScannerRefusesMalformedBytes(_ text: String) {
        let bytes = Array(text.utf8)
        #expect(throws: RedisError.self) {
            try bytes.withUnsafeBytes { try RESPCommandScanner.scan($0) { _ in } }
        }
    }

    @Test func redirectsAreParsed() {
        #expect(ClusterRedirect("MOVED 3999 127.0.0.1:6381", replyingHost: "h") == .moved(slot: 3999, host: "127.0.0.1", port: 6381))
        #expect(ClusterRedirect("ASK 0 [::1]:7000", replyingHost: "h") == .ask(slot: 0, host: "::1", port: 7000))
        #expect(ClusterRedirect("MOVED 12 :6380", replyingHost: "10.0.0.2") == .moved(slot: 12, host: "10.0.0.2", port: 6380))
        #expect(ClusterRedirect("TRYAGAIN Multiple keys request during rehashing of slot", replyingHost: "h") == .tryAgain)
        #expect(ClusterRedirect("CLUSTERDOWN The cluster is down", replyingHost: "h") == .clusterDown)
        for other in ["MOVED 16384 h:1", "MOVED x h:1", "ASK 1 h", "WRONGTYPE Operation", "MOVED 1 h:0", "ERR unknown"] {
            #expect(ClusterRedirect(other, replyingHost: "h") == nil, "\(other)")
        }
    }

    static func node(_ port: Int, _ role: String, health: String = "online") -> RedisReply {
        .array([
            .bulk(Array("id".utf8)), .bulk(Array("n\(port)".utf8)), .bulk(Array("port".utf8)), .integer(Int64(port)),
            .bulk(Array("ip".utf8)), .bulk(Array("127.0.0.1".utf8)), .bulk(Array("endpoint".utf8)), .bulk(Array("127.0.0.1".utf8)),
            .bulk(Array("role".utf8)), .bulk(Array(role.utf8)), .bulk(Array("replication-offset".utf8)), .integer(0),
            .bulk(Array("health".utf8)), .bulk(Array(health.utf8)),
        ])
    }

    static func shard(_ slots: [Int64], _ nodes: [RedisReply]) -> RedisReply {
        .array([.bulk(Array("slots".utf8)), .array(slots.map { .integer($0) }), .bulk(Array("nodes".utf8)), .array(nodes)])
    }

    @Test func clusterShardsBecomeASlotMap() throws {
        let reply = RedisReply.array([
            Self.shard([0, 5460, 16000, 16383], [Self.node(7001, "master"), Self.node(7004, "replica")]),
            // After a failover the old master is listed failed beside the promoted one.
            Self.shard([5461, 10922], [Self.node(7002, "master", health: "failed"), Self.node(7005, "master")]),
            Self.shard([10923, 15999], [Self.node(7006, "replica"), Self.node(7003, "master")]),
        ])
        let map = try ClusterSlotMap(shards: reply)
        #expect(map.masters.map(\.port) == [7001, 7005, 7003])
        #expect(Set(map.replicas.map(\.port)) == [7004, 7002, 7006])
        #expect(map.owner(ofSlot: 0) == 0 && map.owner(ofSlot: 5460) == 0 && map.owner(ofSlot: 16383) == 0)
        #expect(map.owner(ofSlot: 5461) == 1 && map.owner(ofSlot: 10922) == 1)
        #expect(map.owner(ofSlot: 10923) == 2 && map.owner(ofSlot: 15999) == 2)
        #expect(map.assignedSlots == RedisClusterSlot.count)
    }

    @Test func clusterSlotsBecomeTheSameSlotMap() throws {
        func address(_ port: Int64) -> RedisReply { .array([.bulk(Array("127.0.0.1".utf8)), .integer(port), .bulk(Array("n\(port)".utf8))]) }
        let reply = RedisReply.array([
            .array([.integer(0), .integer(5460), address(7001), address(7004)]),
            .array([.integer(5461), .integer(10922), address(7002)]),
            .array([.integer(16000), .integer(16383), address(7001)]),
        ])
        let map = try ClusterSlotMap(slots: reply)
        #expect(map.masters.map(\.port) == [7001, 7002])
        #expect(map.owner(ofSlot: 16000) == 0 && map.owner(ofSlot: 6000) == 1 && map.owner(ofSlot: 12000) == nil)
        #expect(map.assignedSlots == 5461 + 5462 + 384)
        #expect(throws: RedisError.self) { try ClusterSlotMap(slots: .array([.array([.integer(0), .integer(16384), address(1)])])) }
        #expect(throws: RedisError.self) { try ClusterSlotMap(shards: .status("OK")) }
    }

    /// Replies of three nodes, each a queue in the order its commands were sent; a reply is a tag string.
    struct Nodes {
        var queues: [[String]]
        var released: [String] = []
        mutating func next(_ node: Int) -> String { queues[node].removeFirst() }
    }

    static func redirect(_ reply: String) -> ClusterRedirect? {
        ClusterRedirect(reply, replyingHost: "127.0.0.1")
    }

    @Test func repliesComeBackInRequestOrder() throws {
        let route = [0, 1, 0, 2, 2, 1, 0]
        var nodes = Nodes(queues: [["r0", "r2", "r6"], ["r1", "r5"], ["r3", "r4"]])
        var delivered: [String] = []
        let failure = try ClusterReplyMerger.merge(
            count: route.count, rounds: 3, node: { route[$0] }, next: { nodes.next($0) }, redirect: Self.redirect,
            resend: { _ in Issue.record("nothing to resend"); return [] },
            unresolved: { _, _ in RedisError(code: .clusterDown, message: "unresolved") },
            release: { nodes.released.append($0) }, deliver: { position, reply in
                #expect(reply == "r\(position)")
                delivered.append(reply)
            })
        #expect(failure == nil)
        #expect(delivered == (0..<7).map { "r\($0)" })
        #expect(nodes.released == delivered)
        #expect(nodes.queues.allSatisfy { $0.isEmpty })
    }

    @Test func redirectedCommandsAreResentAndTheirRepliesKeepTheirPlace() throws {
        let route = [0, 1, 2, 0, 1]
        var nodes = Nodes(queues: [["r0", "ASK 7 127.0.0.1:7003"], ["MOVED 9 127.0.0.1:7002", "r4"], ["TRYAGAIN busy"]])
        var rounds: [[Int]] = []
        var delivered: [String] = []
        let failure = try ClusterReplyMerger.merge(
            count: route.count, rounds: 3, node: { route[$0] }, next: { nodes.next($0) }, redirect: Self.redirect,
            resend: { requests in
                rounds.append(requests.map(\.position))
                // The TRYAGAIN is redirected once more, then answered.
                return requests.map { $0.position == 2 && rounds.count == 1 ? "MOVED 3 127.0.0.1:7001" : "r\($0.position)" }
            },
            unresolved: { _, _ in RedisError(code: .clusterDown, message: "unresolved") },
            release: { nodes.released.append($0) }, deliver: { _, reply in delivered.append(reply) })
        #expect(failure == nil)
        #expect(rounds == [[1, 2, 3], [2]])
        #expect(delivered == ["r0", "r1", "r2", "r3", "r4"])
        #expect(nodes.released.count == 5 + 4)
    }

    @Test func aCommandStillRedirectedAfterTheRoundsFailsAndReleasesEverything() {
        let route = [0, 0]
        var nodes = Nodes(queues: [["CLUSTERDOWN down", "r1"]])
        var resent = 0
        var delivered = 0
        #expect(throws: RedisError.self) {
            _ = try ClusterReplyMerger.merge(
                count: 2, rounds: 2, node: { route[$0] }, next: { nodes.next($0) }, redirect: Self.redirect,
                resend: { requests in
                    resent += 1
                    return requests.map { _ in "CLUSTERDOWN still" }
                },
                unresolved: { _, _ in RedisError(code: .clusterDown, message: "unresolved") },
                release: { nodes.released.append($0) }, deliver: { _, _ in delivered += 1 })
        }
        #expect(resent == 2)
        #expect(delivered == 0)
        #expect(Set(nodes.released) == ["CLUSTERDOWN down", "r1", "CLUSTERDOWN still"])
        #expect(nodes.released.count == 4)
    }

    @Test func aConsumerErrorStillReadsEveryReply() throws {
        struct Refused: Error {}
        let route = [0, 1, 0, 1]
        var nodes = Nodes(queues: [["r0", "r2"], ["r1", "r3"]])
        var seen: [String] = []
        let failure = try ClusterReplyMerger.merge(
            count: 4, rounds: 1, node: { route[$0] }, next: { nodes.next($0) }, redirect: Self.redirect,
            resend: { _ in [] }, unresolved: { _, _ in Refused() }, release: { nodes.released.append($0) },
            deliver: { position, reply in
                seen.append(reply)
                if position == 1 { throw Refused() }
            })
        #expect(failure is Refused)
        #expect(seen == ["r0", "r1"])
        #expect(nodes.released == ["r0", "r1", "r2", "r3"])
        #expect(nodes.queues.allSatisfy { $0.isEmpty })
    }
}

/// Which master serves each of the 16,384 slots, as `CLUSTER SHARDS` (Redis 7) or `CLUSTER SLOTS` reports it.
struct ClusterSlotMap: Equatable, Sendable {
    /// A node's address, and its id when the reply names it.
    struct Node: Hashable, Sendable, CustomStringConvertible {
        var host: String
        var port: Int
        var id: String?

        var address: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
        var description: String { address }
    }

    /// The owner of a slot that no master serves.
    static let unassigned = UInt16.max

    /// The masters that serve at least one slot, in the order the reply lists them.
    private(set) var masters: [Node] = []
    /// The replicas the reply lists, kept for finding the cluster when its masters are gone.
    private(set) var replicas: [Node] = []
    /// Per slot, the index of its master in `masters`, or `unassigned`.
    private(set) var owners = [UInt16](repeating: ClusterSlotMap.unassigned, count: RedisClusterSlot.count)

    init() {}

    /// The index in `masters` of the master serving `slot`, or nil when none does.
    @inline(__always)
    func owner(ofSlot slot: Int) -> Int? {
        let owner = owners[slot]
        return owner == Self.unassigned ? nil : Int(owner)
    }

    /// The number of slots some master serves.
    var assignedSlots: Int { owners.count { $0 != Self.unassigned } }

    /// Reads `CLUSTER SHARDS`: per shard, `slots` (start and end pairs) and `nodes` (each with `ip` or
    /// `endpoint`, `port`, `id`, `role`, `health`).
    init(shards reply: RedisReply) throws {
        guard let shards = reply.array else { throw Self.unexpected("CLUSTER SHARDS", reply) }
        for shard in shards {
            let fields = try Self.fields(shard, "CLUSTER SHARDS")
            guard let slots = fields["slots"]?.array, let nodes = fields["nodes"]?.array, slots.count % 2 == 0 else {
                throw Self.unexpected("CLUSTER SHARDS", shard)
            }
            var master: Node?
            var masterOnline = false
            for node in nodes {
                let info = try Self.fields(node, "CLUSTER SHARDS")
                guard let host = (info["ip"] ?? info["endpoint"])?.string, !host.isEmpty, host != "?",
                      let port = (info["port"] ?? info["tls-port"])?.integer, (1...65535).contains(port)
                else { continue }
                let found = Node(host: host, port: Int(port), id: info["id"]?.string)
                let online = info["health"]?.string.map { $0 == "online" } ?? true
                if info["role"]?.string == "master", master == nil || (!masterOnline && online) {
                    if let master { replicas.append(master) }
                    master = found
                    masterOnline = online
                } else {
                    replicas.append(found)
                }
            }
            guard let master, !slots.isEmpty else { continue }
            let index = indexOf(master)
            for pair in stride(from: 0, to: slots.count, by: 2) {
                guard let start = slots[pair].integer, let end = slots[pair + 1].integer else {
                    throw Self.unexpected("CLUSTER SHARDS", shard)
                }
                try assign(Int(start)...Int(end), to: index, command: "CLUSTER SHARDS")
            }
        }
    }

    /// Reads `CLUSTER SLOTS`: per range, its start, its end, its master `[ip, port, id, ...]`, then its replicas.
    init(slots reply: RedisReply) throws {
        guard let ranges = reply.array else { throw Self.unexpected("CLUSTER SLOTS", reply) }
        for range in ranges {
            guard let parts = range.array, parts.count >= 3, let start = parts[0].integer, let end = parts[1].integer else {
                throw Self.unexpected("CLUSTER SLOTS", range)
            }
            let nodes = try parts[2...].map { node -> Node in
                guard let fields = node.array, fields.count >= 2, let host = fields[0].string, !host.isEmpty,
                      let port = fields[1].integer, (1...65535).contains(port)
                else { throw Self.unexpected("CLUSTER SLOTS", range) }
                return Node(host: host, port: Int(port), id: fields.count > 2 ? fields[2].string : nil)
            }
            replicas.append(contentsOf: nodes.dropFirst())
            try assign(Int(start)...Int(end), to: indexOf(nodes[0]), command: "CLUSTER SLOTS")
        }
    }

    private mutating func indexOf(_ node: Node) -> Int {
        if let index = masters.firstIndex(where: { $0.host == node.host && $0.port == node.port }) { return index }
        masters.append(node)
        return masters.count - 1
    }

    private mutating func assign(_ range: ClosedRange<Int>, to master: Int, command: String) throws {
        guard range.lowerBound >= 0, range.upperBound < RedisClusterSlot.count else {
            throw RedisError(
                code: .protocolError,
                message: "\(command) named slots \(range.lowerBound)-\(range.upperBound), outside 0-\(RedisClusterSlot.count - 1)")
        }
        for slot in range { owners[slot] = UInt16(master) }
    }

    /// The fields of a flat key/value array (RESP2's form of a map).
    private static func fields(_ reply: RedisReply, _ command: String) throws -> [String: RedisReply] {
        guard let items = reply.array, items.count % 2 == 0 else { throw unexpected(command, reply) }
        var fields: [String: RedisReply] = [:]
        for index in stride(from: 0, to: items.count, by: 2) {
            guard let name = items[index].string else { throw unexpected(command, reply) }
            fields[name] = items[index + 1]
        }
        return fields
    }

    private static func unexpected(_ command: String, _ reply: RedisReply) -> RedisError {
        let text = "\(reply)"
        return RedisError(
            code: .protocolError, message: "unexpected \(command) reply: \(text.count > 200 ? text.prefix(200) + "…" : text[...])")
    }
}

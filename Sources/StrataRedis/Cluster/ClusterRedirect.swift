/// An error reply by which a cluster node declines a command that another node (or this one, later) serves.
enum ClusterRedirect: Equatable, Sendable, CustomStringConvertible {
    /// `MOVED <slot> <host>:<port>`: the slot lives elsewhere for good; refresh the slot map.
    case moved(slot: Int, host: String, port: Int)
    /// `ASK <slot> <host>:<port>`: the slot is being migrated and this key already left; send `ASKING`
    /// then the command to that node, once.
    case ask(slot: Int, host: String, port: Int)
    /// `TRYAGAIN`: the keys of a multi-key command are split by a migration in progress.
    case tryAgain
    /// `CLUSTERDOWN`: the cluster cannot serve the slot now (a master failed and no replica has taken over yet).
    case clusterDown

    /// The redirect an error reply's text holds, or nil for any other error. An empty host (`MOVED 3999 :6380`)
    /// means the host of the node that replied, `replyingHost`.
    init?(_ text: some StringProtocol, replyingHost: String) {
        if text.hasPrefix("TRYAGAIN") {
            self = .tryAgain
            return
        }
        if text.hasPrefix("CLUSTERDOWN") {
            self = .clusterDown
            return
        }
        let parts = text.split(separator: " ")
        guard parts.count == 3, parts[0] == "MOVED" || parts[0] == "ASK", let slot = Int(parts[1]),
              (0..<RedisClusterSlot.count).contains(slot), let colon = parts[2].lastIndex(of: ":"),
              let port = Int(parts[2][parts[2].index(after: colon)...]), (1...65535).contains(port)
        else { return nil }
        var host = String(parts[2][..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if host.isEmpty { host = replyingHost }
        self = parts[0] == "MOVED" ? .moved(slot: slot, host: host, port: port) : .ask(slot: slot, host: host, port: port)
    }

    /// The reply's first word.
    var description: String {
        switch self {
        case .moved: "MOVED"
        case .ask: "ASK"
        case .tryAgain: "TRYAGAIN"
        case .clusterDown: "CLUSTERDOWN"
        }
    }

    /// Whether resending at once is pointless: the cluster needs a moment.
    var waits: Bool { self == .tryAgain || self == .clusterDown }
}

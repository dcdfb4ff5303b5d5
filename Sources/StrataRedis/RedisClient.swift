/// What the online store needs of Redis, from one server (`RedisConnection`) or a cluster (`RedisCluster`):
/// single commands, pipelines whose replies are read in place in request order, and the few operations that
/// concern every server holding keys.
///
/// Not thread-safe: one owner at a time. Implementations block the calling thread until Redis answers.
public protocol RedisClient: AnyObject {
    /// The server or cluster, password hidden, for messages.
    var redactedURL: String { get }
    /// Whether keys are spread over the masters of a Redis Cluster, so that one command (a function call
    /// included) may only declare keys of one slot.
    var isCluster: Bool { get }
    /// Commands queued with `append` whose replies have not been read yet.
    var pendingReplies: Int { get }
    /// How many connections were established so far (reconnections included).
    var connectionCount: Int { get }

    /// Sends one command given as UTF-8 strings and returns its reply; an error reply throws `.serverError`.
    func command(_ arguments: [String]) throws -> RedisReply
    /// Sends one command given as binary-safe byte strings and returns its reply; an error reply throws `.serverError`.
    func command(_ arguments: [[UInt8]]) throws -> RedisReply
    /// Queues every command encoded in `commands`; nothing is sent until a reply is read.
    func append(_ commands: RedisCommandBuffer) throws
    /// Sends what is queued, if not yet sent, and lends the next `count` replies in request order to `body`
    /// without copying them; error replies are passed on, not thrown. When `body` throws, the remaining replies
    /// are still read and the first error is rethrown at the end.
    func readReplies(_ count: Int, _ body: (Int, RedisReplyView) throws -> Void) throws
    /// Sends all commands in one round trip and returns their replies in order; error replies are returned, not thrown.
    func pipeline(_ commands: [[String]]) throws -> [RedisReply]
    /// Sends all commands, given as byte strings, in one round trip and returns their replies in order.
    func pipeline(_ commands: [[[UInt8]]]) throws -> [RedisReply]
    /// Sends one command without keys (`FUNCTION LOAD`, `INFO`, `FLUSHALL`, ...) to every server that holds keys:
    /// the server, or each master of a cluster; returns the replies in the masters' order. An error reply
    /// throws `.serverError`.
    func commandOnEachServer(_ arguments: [String]) throws -> [RedisReply]
    /// Calls `body` with the keys matching `pattern`, batch by batch, over every server that holds keys (`SCAN`).
    /// A key may be seen twice, or missed, when it moves between masters during the scan (a resharding).
    func scan(matching pattern: String, _ body: ([[UInt8]]) throws -> Void) throws
    /// Which server holds `key` now: always 0 on a single server; on a cluster, the index of the master that
    /// serves the key's slot in the client's slot map (a command sent there after a resharding is redirected).
    func serverIndex(forKey key: UnsafeRawBufferPointer) -> Int
}

extension RedisClient {
    /// Sends one command and returns its reply; an error reply throws `.serverError`.
    public func command(_ arguments: String...) throws -> RedisReply {
        try command(arguments)
    }
}

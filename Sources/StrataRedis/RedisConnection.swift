#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A blocking connection to one Redis server, with pipelining, per-call timeouts and reconnection.
///
/// Not thread-safe: one owner at a time. It is `Sendable` so that a pool can hand it from task to task;
/// never use it from two tasks at once. Calls block the calling thread until Redis answers.
///
/// After a failure the connection is broken; the next call reconnects, repeating `AUTH` and `SELECT`.
/// A server that hung up while the connection sat idle (a restart, `CLIENT KILL`, an idle timeout) is noticed
/// before the next command is sent, and the connection is re-established without an error.
public final class RedisConnection: RedisClient, @unchecked Sendable {
    /// The server this connection talks to.
    public let url: RedisURL
    /// How long connecting (and reconnecting) may take.
    public let connectTimeout: Duration
    /// How long each call may wait for the server; nil waits forever. On expiry a call throws `.timeout`.
    public var timeout: Duration? {
        didSet { timeoutIsApplied = false }
    }

    /// Commands queued with `append` whose replies have not been read yet.
    public private(set) var pendingReplies = 0
    /// How many times a connection was established (1 after `init`; each reconnection adds one).
    public private(set) var connectionCount = 0

    private var context: HiredisContext?
    private var timeoutIsApplied = false
    private var arguments = CommandArguments()

    /// Connects to `url`, authenticating and selecting its database; throws `.connectionFailed` when that fails.
    public init(url: RedisURL, connectTimeout: Duration = .seconds(5), timeout: Duration? = nil) throws {
        self.url = url
        self.connectTimeout = connectTimeout
        self.timeout = timeout
        try connect()
    }

    /// Sends one command given as UTF-8 strings and returns its reply; an error reply throws `.serverError`.
    public func command(_ arguments: [String]) throws -> RedisReply {
        self.arguments.load(arguments)
        return try sendCommand()
    }

    /// Sends one command given as binary-safe byte strings and returns its reply; an error reply throws `.serverError`.
    public func command(_ arguments: [[UInt8]]) throws -> RedisReply {
        self.arguments.load(arguments)
        return try sendCommand()
    }

    /// Sends one command whose arguments are read in place from the caller's buffers; an error reply throws `.serverError`.
    public func command(_ arguments: UnsafeBufferPointer<UnsafeRawBufferPointer>) throws -> RedisReply {
        self.arguments.load(arguments)
        return try sendCommand()
    }

    /// Queues one command given as UTF-8 strings; nothing is sent until a reply is read.
    public func append(_ arguments: [String]) throws {
        self.arguments.load(arguments)
        try appendLoaded()
    }

    /// Queues one command given as binary-safe byte strings; nothing is sent until a reply is read.
    public func append(_ arguments: [[UInt8]]) throws {
        self.arguments.load(arguments)
        try appendLoaded()
    }

    /// Queues one command whose arguments are read in place from the caller's buffers (hiredis copies them
    /// into its output buffer); with warm buffers this allocates nothing in Strata.
    public func append(_ arguments: UnsafeBufferPointer<UnsafeRawBufferPointer>) throws {
        self.arguments.load(arguments)
        try appendLoaded()
    }

    /// Queues every command encoded in `commands` with one copy into hiredis's output buffer; nothing is
    /// sent until a reply is read.
    /// - Complexity: O(n) in the encoded size.
    public func append(_ commands: RedisCommandBuffer) throws {
        guard commands.commandCount > 0 else { return }
        if pendingReplies == 0 { try prepare() }
        try commands.withEncodedBytes { bytes in
            try perform { try $0.appendEncoded(bytes) }
        }
        pendingReplies += commands.commandCount
    }

    /// Sends the queued commands, if not yet sent, and lends the next `count` replies in order to `body`
    /// (with their position, from 0) without copying them; error replies are passed on, not thrown.
    ///
    /// The views are valid only inside `body`. When `body` throws, the remaining replies are still read
    /// (so the connection stays usable) and the first error is rethrown at the end.
    /// - Complexity: O(n) in the size of the replies.
    public func readReplies(_ count: Int, _ body: (Int, RedisReplyView) throws -> Void) throws {
        precondition(count <= pendingReplies, "readReplies(\(count)) called with \(pendingReplies) commands queued")
        var failure: Error?
        try perform { context in
            for index in 0..<count {
                let reply = try context.nextReply()
                pendingReplies -= 1
                defer { HiredisContext.freeReply(reply) }
                if failure == nil {
                    do { try body(index, RedisReplyView(reply)) } catch { failure = error }
                }
            }
        }
        if let failure { throw failure }
    }

    /// Sends the queued commands, if not yet sent, and returns the next reply; error replies are returned, not thrown.
    public func readReply() throws -> RedisReply {
        try readReply { $0.reply }
    }

    /// Sends the queued commands, if not yet sent, and lends the next reply to `body` without copying it.
    ///
    /// The view and its buffers are valid only inside `body`. Errors thrown by `body` leave the connection usable.
    public func readReply<R>(_ body: (RedisReplyView) throws -> R) throws -> R {
        precondition(pendingReplies > 0, "readReply() called with no command queued")
        let reply = try perform { try $0.nextReply() }
        pendingReplies -= 1
        defer { HiredisContext.freeReply(reply) }
        return try body(RedisReplyView(reply))
    }

    /// Sends all commands in one round trip and returns their replies in order; error replies are returned, not thrown.
    ///
    /// - Complexity: O(n) in the total size of the commands and replies.
    public func pipeline(_ commands: [[String]]) throws -> [RedisReply] {
        precondition(pendingReplies == 0, "read the \(pendingReplies) queued replies before a pipeline")
        for command in commands { try append(command) }
        return try (0..<commands.count).map { _ in try readReply() }
    }

    /// Sends all commands, given as byte strings, in one round trip and returns their replies in order.
    ///
    /// - Complexity: O(n) in the total size of the commands and replies.
    public func pipeline(_ commands: [[[UInt8]]]) throws -> [RedisReply] {
        precondition(pendingReplies == 0, "read the \(pendingReplies) queued replies before a pipeline")
        for command in commands { try append(command) }
        return try (0..<commands.count).map { _ in try readReply() }
    }

    /// The URL with the password hidden.
    public var redactedURL: String { url.redacted }

    /// False: one server holds every key.
    public var isCluster: Bool { false }

    /// Sends one command and returns its reply in an array of one.
    public func commandOnEachServer(_ arguments: [String]) throws -> [RedisReply] {
        [try command(arguments)]
    }

    /// Calls `body` with each batch of keys `SCAN ... MATCH pattern COUNT 1000` returns.
    public func scan(matching pattern: String, _ body: ([[UInt8]]) throws -> Void) throws {
        var cursor = "0"
        repeat {
            let reply = try command(["SCAN", cursor, "MATCH", pattern, "COUNT", "1000"])
            guard let parts = reply.array, parts.count == 2, let next = parts[0].string, let keys = parts[1].array else {
                throw RedisError(code: .protocolError, message: "Redis at \(url.redacted) answered SCAN with \(reply)", url: url.redacted)
            }
            let names = keys.compactMap(\.bytes)
            if !names.isEmpty { try body(names) }
            cursor = next
        } while cursor != "0"
    }

    /// Zero: one server holds every key.
    public func serverIndex(forKey key: UnsafeRawBufferPointer) -> Int { 0 }

    /// Queues `commands` commands already encoded in the Redis protocol (a cluster client's share of a pipeline).
    func appendEncoded(_ bytes: UnsafeRawBufferPointer, commands: Int) throws {
        guard commands > 0 else { return }
        if pendingReplies == 0 { try prepare() }
        try perform { try $0.appendEncoded(bytes) }
        pendingReplies += commands
    }

    /// Writes the queued commands to the socket without waiting for a reply, so that several servers can work
    /// on their pipelines at once.
    func flush() throws {
        try perform { try $0.flush() }
    }

    /// Takes the next reply, sending what is queued first; the caller must pass it to `HiredisContext.freeReply`.
    func takeReply() throws -> UnsafeMutableRawPointer {
        precondition(pendingReplies > 0, "takeReply() called with no command queued")
        let reply = try perform { try $0.nextReply() }
        pendingReplies -= 1
        return reply
    }

    /// Closes the connection, dropping unread replies; the next call reconnects.
    func disconnect() {
        context = nil
        pendingReplies = 0
    }

    private func sendCommand() throws -> RedisReply {
        precondition(pendingReplies == 0, "read the \(pendingReplies) queued replies before sending a command")
        try prepare()
        let reply = try perform { context in
            try arguments.withArgv { try context.command($0, $1, $2) }
        }
        defer { HiredisContext.freeReply(reply) }
        let view = RedisReplyView(reply)
        if view.kind == .error {
            let detail = view.string ?? ""
            throw RedisError(
                code: .serverError, message: "Redis at \(url.redacted) replied with an error: \(detail)",
                url: url.redacted, underlying: detail)
        }
        return view.reply
    }

    private func appendLoaded() throws {
        if pendingReplies == 0 { try prepare() }
        try perform { context in
            try arguments.withArgv { try context.append($0, $1, $2) }
        }
        pendingReplies += 1
    }

    /// Reconnects if the connection is broken or the server hung up while it was idle, and applies the timeout.
    private func prepare() throws {
        if let context, serverHungUp(context.fileDescriptor) {
            self.context = nil
        }
        if context == nil {
            try connect()
        } else if !timeoutIsApplied {
            try perform { try $0.setTimeout(timeout) }
            timeoutIsApplied = true
        }
    }

    /// Runs a hiredis call; a failure breaks the connection so that the next call reconnects.
    private func perform<T>(_ body: (HiredisContext) throws -> T) throws -> T {
        guard let context else {
            throw RedisError(
                code: .connectionLost, message: "lost the connection to Redis at \(url.redacted)",
                url: url.redacted)
        }
        do {
            return try body(context)
        } catch {
            self.context = nil
            pendingReplies = 0
            throw error
        }
    }

    private func connect() throws {
        context = nil
        pendingReplies = 0
        let fresh = try HiredisContext(
            host: url.host, port: url.port, connectTimeout: connectTimeout, url: url.redacted)
        do {
            try fresh.setTimeout(timeout)
            if let password = url.password {
                let command = url.user.map { ["AUTH", $0, password] } ?? ["AUTH", password]
                try handshake(fresh, command, doing: "authentication")
            }
            if url.database != 0 {
                try handshake(fresh, ["SELECT", String(url.database)], doing: "selecting database \(url.database)")
            }
        } catch let error as RedisError where error.code != .connectionFailed {
            throw RedisError(
                code: .connectionFailed, message: "could not connect to Redis at \(url.redacted): \(error.message)",
                url: url.redacted, underlying: error.underlying)
        }
        context = fresh
        timeoutIsApplied = true
        connectionCount += 1
    }

    /// Sends a handshake command with its own argument vectors, leaving the caller's loaded command intact.
    private func handshake(_ context: HiredisContext, _ command: [String], doing step: String) throws {
        var handshakeArguments = CommandArguments()
        handshakeArguments.load(command)
        let reply = try handshakeArguments.withArgv { try context.command($0, $1, $2) }
        defer { HiredisContext.freeReply(reply) }
        let view = RedisReplyView(reply)
        guard view.kind == .error else { return }
        let detail = view.string ?? ""
        throw RedisError(
            code: .connectionFailed, message: "Redis at \(url.redacted) refused \(step): \(detail)",
            url: url.redacted, underlying: detail)
    }

    /// Whether an idle socket is readable or hung up: with no reply pending, that means the server closed it.
    private func serverHungUp(_ descriptor: Int32) -> Bool {
        var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, 0) > 0
    }
}

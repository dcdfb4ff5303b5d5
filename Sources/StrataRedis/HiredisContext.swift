internal import CHiredis
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one owner of a hiredis `redisContext`: every hiredis call goes through it, and each failure becomes a `RedisError`.
final class HiredisContext {
    private let context: UnsafeMutablePointer<redisContext>
    private let url: String

    /// Connects to `host:port` within `connectTimeout`; `url` (redacted) names the server in errors.
    init(host: String, port: Int, connectTimeout: Duration, url: String) throws {
        HiredisContext.ignoreBrokenPipes
        self.url = url
        guard let context = redisConnectWithTimeout(host, Int32(port), HiredisContext.makeTimeval(connectTimeout)) else {
            throw RedisError(
                code: .connectionFailed, message: "could not connect to Redis at \(url)", url: url,
                underlying: "hiredis could not allocate a context")
        }
        guard context.pointee.err == 0 else {
            let detail = HiredisContext.errorString(context)
            redisFree(context)
            throw RedisError(
                code: .connectionFailed, message: "could not connect to Redis at \(url): \(detail)", url: url,
                underlying: detail)
        }
        self.context = context
    }

    deinit {
        redisFree(context)
    }

    /// The socket, for checking whether the server hung up while the connection was idle.
    var fileDescriptor: Int32 { context.pointee.fd }

    /// Sets the send and receive timeout of the socket; nil waits forever.
    func setTimeout(_ timeout: Duration?) throws {
        let value = timeout.map(HiredisContext.makeTimeval) ?? timeval(tv_sec: 0, tv_usec: 0)
        try call("setting the timeout") { redisSetTimeout($0, value) == REDIS_OK ? () : nil }
    }

    /// Sends one command and returns its reply, which the caller must pass to `freeReply`.
    func command(
        _ count: Int32, _ arguments: UnsafeMutablePointer<UnsafePointer<CChar>?>, _ lengths: UnsafePointer<Int>
    ) throws -> UnsafeMutableRawPointer {
        try call("waiting for a reply") { redisCommandArgv($0, count, arguments, lengths) }
    }

    /// Queues one command in the output buffer; nothing is sent until a reply is read.
    func append(
        _ count: Int32, _ arguments: UnsafeMutablePointer<UnsafePointer<CChar>?>, _ lengths: UnsafePointer<Int>
    ) throws {
        try call("queueing a command") { redisAppendCommandArgv($0, count, arguments, lengths) == REDIS_OK ? () : nil }
    }

    /// Queues commands already encoded in the Redis protocol with one copy into the output buffer.
    func appendEncoded(_ bytes: UnsafeRawBufferPointer) throws {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        try call("queueing commands") {
            redisAppendFormattedCommand($0, base.assumingMemoryBound(to: CChar.self), bytes.count) == REDIS_OK ? () : nil
        }
    }

    /// Writes the output buffer to the socket, blocking until all of it is written.
    func flush() throws {
        try call("sending commands") { context -> Void? in
            var done: Int32 = 0
            repeat {
                guard redisBufferWrite(context, &done) == REDIS_OK else { return nil }
            } while done == 0
            return ()
        }
    }

    /// Flushes queued commands and returns the next reply, which the caller must pass to `freeReply`.
    func nextReply() throws -> UnsafeMutableRawPointer {
        try call("waiting for a reply") { context in
            var reply: UnsafeMutableRawPointer?
            return redisGetReply(context, &reply) == REDIS_OK ? reply : nil
        }
    }

    /// Releases a reply returned by `command` or `nextReply`.
    static func freeReply(_ reply: UnsafeMutableRawPointer) {
        freeReplyObject(reply)
    }

    /// Runs one hiredis call; a nil result is a failure, classified from the context's error and `errno`.
    private func call<T>(_ action: String, _ body: (UnsafeMutablePointer<redisContext>) -> T?) throws -> T {
        if let result = body(context) { return result }
        let osError = errno
        let detail = HiredisContext.errorString(context)
        let code: RedisError.Code
        let message: String
        switch context.pointee.err {
        case REDIS_ERR_IO where osError == EAGAIN || osError == EWOULDBLOCK || osError == ETIMEDOUT:
            code = .timeout
            message = "Redis at \(url) did not answer in time while \(action)"
        case REDIS_ERR_PROTOCOL:
            code = .protocolError
            message = "Redis at \(url) broke the protocol while \(action)"
        default:
            code = .connectionLost
            message = "lost the connection to Redis at \(url) while \(action)"
        }
        throw RedisError(code: code, message: message, url: url, underlying: detail)
    }

    private static func errorString(_ context: UnsafeMutablePointer<redisContext>) -> String {
        withUnsafeBytes(of: context.pointee.errstr) { buffer in
            let text = buffer.prefix { $0 != 0 }
            return text.isEmpty ? "unknown hiredis error \(context.pointee.err)" : String(decoding: text, as: UTF8.self)
        }
    }

    /// A timeval for hiredis, at least one microsecond because zero means "no timeout".
    private static func makeTimeval(_ duration: Duration) -> timeval {
        let (seconds, attoseconds) = duration.components
        let microseconds = attoseconds / 1_000_000_000_000
        if seconds < 0 || (seconds == 0 && microseconds < 1) { return timeval(tv_sec: 0, tv_usec: 1) }
        return timeval(tv_sec: Int(seconds), tv_usec: Int(microseconds))
    }

    /// hiredis 0.14 writes with `write(2)`, so a server that went away raises SIGPIPE, whose default action
    /// kills the process; ignore it (unless the program installed its own handler) so the write fails with EPIPE.
    private static let ignoreBrokenPipes: Void = {
        let previous = signal(SIGPIPE, SIG_IGN)
        if previous != nil { signal(SIGPIPE, previous) }
    }()
}

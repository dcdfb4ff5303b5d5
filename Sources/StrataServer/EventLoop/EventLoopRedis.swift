import NIOCore
import NIOPosix
import StrataColumnar
import StrataOnline
import StrataRedis

/// One event loop's non-blocking connection to Redis, over which the requests handled on that loop
/// look features up without leaving it: no thread hop, no task switch, between the HTTP request and
/// its answer.
///
/// A lookup's `HGET`s are encoded at once (`OnlineLookupCodec`) and appended to an output buffer; the
/// buffer is written once per turn of the event loop, after every socket that was ready has been read,
/// so the lookups of all requests that arrived together share one pipelined write (auto-pipelining),
/// or as soon as it holds `maxPipeline` lookups.
/// Replies are parsed as they arrive (`RedisReplyReader`) and each lookup is decoded and answered as
/// soon as all of its replies are in, in request order.
///
/// Failures, as the blocking client: the connection is made on first use and made again after a loss;
/// lookups that were on a lost connection are sent once more on the new one (they only read, so a retry
/// cannot change what Redis holds), and fail with `RedisError.connectionLost` if that one is lost too.
/// A Redis that answers nothing for `timeout` is dropped and its lookups fail with `.timeout`.
///
/// Confined to its event loop: every method must be called on it (checked in debug builds).
final class EventLoopRedis: @unchecked Sendable {
    /// What a finished lookup hands back.
    typealias Completion = (Result<OnlineFeatures, any Error>) -> Void

    private struct Lookup {
        let query: OnlineQuery
        let entities: Frame
        let at: Int64
        var pending: OnlineLookupCodec.PendingLookup
        /// Whether it was already sent on a connection that was lost.
        var retried: Bool
        let complete: Completion
    }

    let eventLoop: any EventLoop
    private let url: RedisURL
    private let timeout: TimeAmount
    /// The most lookups one write carries (`--max-pipeline`); a full write goes out at once.
    private let maxPipeline: Int
    private let metrics: ServerMetrics
    private let codec = OnlineLookupCodec()

    private var channel: (any Channel)?
    private var connecting = false
    private var stopped = false
    private var reader: RedisReplyReader
    /// Replies of `AUTH` / `SELECT` still to come at the head of a new connection.
    private var handshakeReplies = 0
    /// Why the connection is being closed by us, when it is; decides whether its lookups are retried.
    private var closing: RedisError?
    /// Lookups in request order; the last `unsent` of them are only in `output`.
    private var lookups = CircularBuffer<Lookup>()
    private var unsent = 0
    private var output: ByteBuffer
    private var flushScheduled = false
    /// Lookups answered so far, for the timeout's check that Redis is making progress.
    private var answered = 0
    private var timer: Scheduled<Void>?
    private var connections = 0

    init(eventLoop: any EventLoop, url: RedisURL, timeout: TimeAmount, maxPipeline: Int, metrics: ServerMetrics) {
        self.eventLoop = eventLoop
        self.url = url
        self.timeout = timeout
        self.maxPipeline = max(1, maxPipeline)
        self.metrics = metrics
        reader = RedisReplyReader(url: url.redacted)
        output = ByteBufferAllocator().buffer(capacity: 4096)
    }

    /// Looks the values of `query` up for `entities` as of `at` and calls `complete` on this loop with the
    /// answer, or with the error (`OnlineError` for bad entities, `RedisError` when Redis fails).
    func lookup(_ query: OnlineQuery, entities: Frame, at: Int64, complete: @escaping Completion) {
        eventLoop.assertInEventLoop()
        guard !stopped else {
            complete(.failure(ServerError(.serviceUnavailable, .internalError, "the server is shutting down")))
            return
        }
        let pending: OnlineLookupCodec.PendingLookup
        do {
            pending = try codec.encode(query, entities: entities, at: at)
        } catch {
            complete(.failure(error))
            return
        }
        if pending.commandCount == 0 && lookups.isEmpty {
            complete(Result { try codec.decode(pending) { _, _ in } })
            return
        }
        _ = codec.commands.withEncodedBytes { output.writeBytes($0) }
        lookups.append(Lookup(query: query, entities: entities, at: at, pending: pending, retried: false, complete: complete))
        unsent += 1
        if unsent >= maxPipeline, channel != nil { flush() } else { scheduleFlush() }
    }

    /// Closes the connection; lookups asked for afterwards fail. Those in flight fail as the connection closes.
    func stop() {
        eventLoop.assertInEventLoop()
        stopped = true
        let shutdown = RedisError(code: .connectionLost, message: "the server is shutting down", url: url.redacted)
        closing = shutdown
        if let channel { channel.close(promise: nil) } else { failAll(shutdown) }
    }

    // MARK: - Writing

    private func scheduleFlush() {
        guard !flushScheduled else { return }
        flushScheduled = true
        // Runs after every socket ready in this turn of the loop was read: their lookups share one write.
        eventLoop.assumeIsolated().execute { self.flush() }
    }

    private func flush() {
        flushScheduled = false
        guard unsent > 0 else { return }
        guard let channel else {
            connect()
            return
        }
        metrics.pipelineWritten(lookups: unsent)
        unsent = 0
        channel.writeAndFlush(output, promise: nil)
        output = channel.allocator.buffer(capacity: 4096)
        armTimer()
    }

    private func connect() {
        guard !connecting, channel == nil, !stopped else { return }
        connecting = true
        let url = self.url
        ClientBootstrap(group: eventLoop)
            .connectTimeout(.seconds(1))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(EventLoopRedisHandler(owner: self))
                }
            }
            .connect(host: url.host, port: url.port)
            .assumeIsolated()
            .whenComplete { [self] result in
                connecting = false
                switch result {
                case .success(let channel):
                    connected(channel)
                case .failure(let error):
                    metrics.redisFailed()
                    failAll(
                        RedisError(
                            code: .connectionFailed, message: "could not connect to Redis at \(url.redacted): \(error)",
                            url: url.redacted, underlying: "\(error)"))
                }
            }
    }

    private func connected(_ channel: any Channel) {
        guard !stopped else {
            channel.close(promise: nil)
            return
        }
        self.channel = channel
        connections += 1
        if connections > 1 { metrics.redisReconnected(1) }
        reader = RedisReplyReader(url: url.redacted)
        closing = nil
        var handshake = channel.allocator.buffer(capacity: 128)
        handshakeReplies = 0
        if let password = url.password {
            Self.writeCommand(url.user.map { ["AUTH", $0, password] } ?? ["AUTH", password], to: &handshake)
            handshakeReplies += 1
        }
        if url.database != 0 {
            Self.writeCommand(["SELECT", String(url.database)], to: &handshake)
            handshakeReplies += 1
        }
        handshake.writeBuffer(&output)
        output = channel.allocator.buffer(capacity: 4096)
        if unsent > 0 { metrics.pipelineWritten(lookups: unsent) }
        unsent = 0
        channel.writeAndFlush(handshake, promise: nil)
        armTimer()
    }

    private static func writeCommand(_ arguments: [String], to buffer: inout ByteBuffer) {
        buffer.writeString("*\(arguments.count)\r\n")
        for argument in arguments {
            buffer.writeString("$\(argument.utf8.count)\r\n")
            buffer.writeString(argument)
            buffer.writeString("\r\n")
        }
    }

    // MARK: - Reading

    /// Bytes from Redis: parse them, check the handshake, answer every lookup whose replies are all in.
    func received(_ bytes: UnsafeRawBufferPointer) {
        do {
            try reader.feed(bytes)
            while handshakeReplies > 0, reader.readyCount > 0 {
                handshakeReplies -= 1
                var refusal: String?
                try reader.take(1) { _, reply in if reply.kind == .error { refusal = reply.string ?? "" } }
                if let refusal {
                    // A wrong password or database: sending the lookups again would only be refused again.
                    drop(
                        RedisError(
                            code: .connectionFailed, message: "Redis at \(url.redacted) refused the connection's handshake: \(refusal)",
                            url: url.redacted, underlying: refusal))
                    return
                }
            }
        } catch let error as RedisError {
            drop(error)
            return
        } catch {
            drop(RedisError(code: .protocolError, message: "\(error)", url: url.redacted))
            return
        }
        guard handshakeReplies == 0 else { return }
        while let first = lookups.first, lookups.count > unsent, reader.readyCount >= first.pending.commandCount {
            lookups.removeFirst()
            answered += 1
            let reader = self.reader
            let result = Result { try codec.decode(first.pending) { count, body in try reader.take(count, body) } }
            if case .failure(let error as RedisError) = result, error.code != .serverError { metrics.redisFailed() }
            first.complete(result)
        }
        if lookups.count == unsent { cancelTimer() }
    }

    /// The connection closed (by Redis, the network or us): retry what was lost once, on a new connection.
    func closed(_ channel: any Channel) {
        guard channel === self.channel else { return }
        self.channel = nil
        cancelTimer()
        reader = RedisReplyReader(url: url.redacted)
        handshakeReplies = 0
        let reason = closing
        closing = nil
        let lost = RedisError(
            code: .connectionLost, message: "lost the connection to Redis at \(url.redacted)", url: url.redacted)
        if !stopped { metrics.redisFailed() }
        let sentCount = lookups.count - unsent
        var kept = CircularBuffer<Lookup>()
        output.clear()
        for (index, var lookup) in lookups.enumerated() {
            let wasSent = index < sentCount
            if stopped || (wasSent && (lookup.retried || reason != nil)) {
                lookup.complete(.failure(reason ?? lost))
                continue
            }
            do {
                lookup.pending = try codec.encode(lookup.query, entities: lookup.entities, at: lookup.at)
            } catch {
                lookup.complete(.failure(error))
                continue
            }
            _ = codec.commands.withEncodedBytes { output.writeBytes($0) }
            lookup.retried = lookup.retried || wasSent
            kept.append(lookup)
        }
        lookups = kept
        unsent = kept.count
        if !kept.isEmpty { connect() }
    }

    /// Closes the connection for `error`; its lookups fail with it, without a retry.
    private func drop(_ error: RedisError) {
        guard let channel else { return }
        closing = error
        channel.close(promise: nil)
    }

    private func failAll(_ error: any Error) {
        let failed = lookups
        lookups.removeAll()
        unsent = 0
        output.clear()
        for lookup in failed { lookup.complete(.failure(error)) }
    }

    // MARK: - Timeout

    private func armTimer() {
        guard timer == nil, lookups.count > unsent else { return }
        let mark = answered
        timer = eventLoop.assumeIsolated().scheduleTask(in: timeout) { [self] in
            timer = nil
            guard lookups.count > unsent else { return }
            if answered == mark {
                drop(
                    RedisError(
                        code: .timeout, message: "Redis at \(url.redacted) did not answer within \(timeout.nanoseconds / 1_000_000) ms",
                        url: url.redacted))
            } else {
                armTimer()
            }
        }
    }

    private func cancelTimer() {
        timer?.cancel()
        timer = nil
    }
}

internal import CHiredis

/// Parses Redis replies out of bytes that arrive in any pieces, for a client that does its own
/// non-blocking I/O (a server's event loop): feed it what the socket gave, then take the replies that
/// are complete, in order, as the same `RedisReplyView`s the blocking client lends.
///
/// Uses hiredis's reply parser, so that both clients read the protocol with one parser.
/// Not thread-safe: one owner at a time.
public final class RedisReplyReader {
    private let reader: UnsafeMutablePointer<redisReader>
    /// Parsed replies not yet taken, oldest at `head`.
    private var ready: [UnsafeMutableRawPointer] = []
    private var head = 0
    /// Names the server in errors (redacted).
    private let url: String

    /// A reader with nothing fed; `url` (redacted) names the server in errors.
    public init(url: String) {
        guard let reader = redisReaderCreate() else {
            // hiredis only fails to create a reader when malloc fails; nothing can go on without memory.
            fatalError("hiredis could not allocate a reply reader")
        }
        self.reader = reader
        self.url = url
    }

    deinit {
        for reply in ready[head...] { freeReplyObject(reply) }
        redisReaderFree(reader)
    }

    /// Replies parsed and not yet taken.
    public var readyCount: Int { ready.count - head }

    /// Parses `bytes` (the next bytes the server sent) and keeps every reply they complete.
    /// - Throws: `RedisError.protocolError` when the bytes are not the Redis protocol; the reader is then
    ///   unusable (the connection must be dropped).
    public func feed(_ bytes: UnsafeRawBufferPointer) throws {
        guard let base = bytes.baseAddress else { return }
        // hiredis moves what is left of its buffer to the front after each reply once 1 KiB is consumed:
        // fed a large read at once, that is quadratic. Fed at most 1 KiB before its replies are taken,
        // what it moves stays small.
        var start = 0
        while start < bytes.count {
            let count = min(Self.slice, bytes.count - start)
            guard redisReaderFeed(reader, (base + start).assumingMemoryBound(to: CChar.self), count) == REDIS_OK else {
                throw protocolError()
            }
            start += count
            while true {
                var reply: UnsafeMutableRawPointer?
                guard redisReaderGetReply(reader, &reply) == REDIS_OK else { throw protocolError() }
                guard let reply else { break }
                ready.append(reply)
            }
        }
    }

    /// The most bytes handed to hiredis between two takings of its replies.
    private static let slice = 1024

    /// Lends the next `count` parsed replies to `body` in order (with their index from 0), then frees them.
    /// When `body` throws, the remaining replies are still taken and the first error is rethrown at the end,
    /// so that the replies of the next request stay aligned.
    /// - Precondition: `count <= readyCount`.
    public func take(_ count: Int, _ body: (Int, RedisReplyView) throws -> Void) throws {
        precondition(count <= readyCount, "take(\(count)) with \(readyCount) replies parsed")
        var failure: (any Error)?
        for index in 0..<count {
            let reply = ready[head + index]
            if failure == nil {
                do { try body(index, RedisReplyView(reply)) } catch { failure = error }
            }
            freeReplyObject(reply)
        }
        head += count
        if head == ready.count {
            ready.removeAll(keepingCapacity: true)
            head = 0
        } else if head > 1024, head * 2 > ready.count {
            ready.removeFirst(head)
            head = 0
        }
        if let failure { throw failure }
    }

    private func protocolError() -> RedisError {
        let detail = withUnsafeBytes(of: reader.pointee.errstr) { bytes in
            String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
        }
        return RedisError(
            code: .protocolError, message: "Redis at \(url) sent bytes that are not the Redis protocol: \(detail)", url: url,
            underlying: detail)
    }
}

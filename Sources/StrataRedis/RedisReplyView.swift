internal import CHiredis

/// A reply read in place from hiredis's buffers, valid only inside the `readReply` closure that hands it out.
///
/// Array replies are collections of their elements; other replies are empty collections.
public struct RedisReplyView: RandomAccessCollection {
    /// The kind of reply.
    public enum Kind: Sendable, Hashable {
        /// A simple status such as `OK`.
        case status
        /// An error reply.
        case error
        /// An integer reply.
        case integer
        /// A bulk string.
        case bulk
        /// A null bulk string or null array.
        case null
        /// An array of replies.
        case array
    }

    private let pointer: UnsafePointer<redisReply>

    init(_ pointer: UnsafeRawPointer) {
        self.pointer = pointer.assumingMemoryBound(to: redisReply.self)
    }

    /// The kind of reply.
    public var kind: Kind {
        switch pointer.pointee.type {
        case REDIS_REPLY_STRING: .bulk
        case REDIS_REPLY_ARRAY: .array
        case REDIS_REPLY_INTEGER: .integer
        case REDIS_REPLY_STATUS: .status
        case REDIS_REPLY_ERROR: .error
        default: .null
        }
    }

    /// The bytes of a bulk string, status or error, borrowed from hiredis; nil for other replies.
    public var bytes: UnsafeRawBufferPointer? {
        switch pointer.pointee.type {
        case REDIS_REPLY_STRING, REDIS_REPLY_STATUS, REDIS_REPLY_ERROR:
            UnsafeRawBufferPointer(start: pointer.pointee.str, count: pointer.pointee.len)
        default:
            nil
        }
    }

    /// The text of a bulk string, status or error (decoded as UTF-8); nil for other replies.
    public var string: String? {
        bytes.map { String(decoding: $0, as: UTF8.self) }
    }

    /// The value of an integer reply; nil for other replies.
    public var integer: Int64? {
        pointer.pointee.type == REDIS_REPLY_INTEGER ? Int64(pointer.pointee.integer) : nil
    }

    /// Whether this is a null reply.
    public var isNull: Bool {
        pointer.pointee.type == REDIS_REPLY_NIL
    }

    /// A copy of the reply that outlives the view.
    ///
    /// - Complexity: O(n) in the size of the reply.
    public var reply: RedisReply {
        switch kind {
        case .bulk: .bulk(Array(bytes!))
        case .status: .status(string!)
        case .error: .error(string!)
        case .integer: .integer(integer!)
        case .null: .null
        case .array: .array(map(\.reply))
        }
    }

    /// Zero.
    public var startIndex: Int { 0 }

    /// The number of elements of an array reply; zero for other replies.
    public var endIndex: Int {
        pointer.pointee.type == REDIS_REPLY_ARRAY ? pointer.pointee.elements : 0
    }

    /// The element at `position` of an array reply.
    public subscript(position: Int) -> RedisReplyView {
        precondition(position >= 0 && position < endIndex, "reply element \(position) is out of range 0..<\(endIndex)")
        return RedisReplyView(pointer.pointee.element[position]!)
    }
}

/// Walks commands encoded in the Redis protocol (RESP arrays of bulk strings, as `RedisCommandBuffer`
/// writes them) and finds, for each, its bytes and the key that routes it in a cluster.
enum RESPCommandScanner {
    /// One command of the walked bytes.
    struct Command: Equatable {
        /// The command's bytes, header included.
        var range: Range<Int>
        /// The bytes of the key that decides the command's slot; nil for a command without keys.
        var key: Range<Int>?
    }

    /// Calls `body` with each command of `bytes`, in order.
    /// - Throws: `RedisError.protocolError` when the bytes are not RESP arrays of bulk strings.
    /// - Complexity: O(n) in the number of arguments (argument bytes are skipped, not read).
    static func scan(_ bytes: UnsafeRawBufferPointer, _ body: (Command) throws -> Void) throws {
        var position = 0
        while position < bytes.count {
            let start = position
            guard bytes[position] == UInt8(ascii: "*") else { throw malformed(at: position) }
            position += 1
            let count = try number(bytes, &position)
            guard count > 0 else { throw malformed(at: start) }
            // The name and the first three arguments are enough to find the key of every command Strata sends.
            var arguments: (Range<Int>, Range<Int>, Range<Int>, Range<Int>) = (0..<0, 0..<0, 0..<0, 0..<0)
            for index in 0..<count {
                guard position < bytes.count, bytes[position] == UInt8(ascii: "$") else { throw malformed(at: position) }
                position += 1
                let length = try number(bytes, &position)
                guard length >= 0, length <= bytes.count - position - 2,
                      bytes[position + length] == 13, bytes[position + length + 1] == 10
                else { throw malformed(at: position) }
                let argument = position..<(position + length)
                switch index {
                case 0: arguments.0 = argument
                case 1: arguments.1 = argument
                case 2: arguments.2 = argument
                case 3: arguments.3 = argument
                default: break
                }
                position += length + 2
            }
            let key: Range<Int>? = switch keyPosition(bytes, name: arguments.0, count: count, numberOfKeys: arguments.2) {
            case 1: arguments.1
            case 2: arguments.2
            case 3: arguments.3
            default: nil
            }
            try body(Command(range: start..<position, key: key))
        }
    }

    /// Which argument holds the routing key of the command named by `name`, or nil when it has none.
    static func keyPosition(_ bytes: UnsafeRawBufferPointer, name: Range<Int>, count: Int, numberOfKeys: Range<Int>) -> Int? {
        switch name.count <= 16 ? rules[PackedName(UnsafeRawBufferPointer(rebasing: bytes[name]))] ?? .first : .first {
        case .first:
            return count > 1 ? 1 : nil
        case .afterSubcommand:
            return count > 2 ? 2 : nil
        case .none:
            return nil
        case .script:
            // FCALL/EVAL name numkeys key...: the first declared key, when there is one.
            var keys = 0
            for byte in bytes[numberOfKeys] {
                guard byte >= 48, byte <= 57, keys < 1_000_000 else { return nil }
                keys = keys * 10 + Int(byte - 48)
            }
            return count > 3 && keys > 0 ? 3 : nil
        }
    }

    /// Where a command keeps its routing key.
    enum KeyRule {
        /// The first argument (most commands).
        case first
        /// The argument after a subcommand (`MEMORY USAGE key`).
        case afterSubcommand
        /// The first key declared after `numkeys` (`FCALL`, `EVAL`).
        case script
        /// No key: any node may answer.
        case none
    }

    /// A command name of at most 16 bytes, upper-cased and packed into two words, so that looking its rule up
    /// allocates nothing.
    struct PackedName: Hashable {
        var low: UInt64 = 0
        var high: UInt64 = 0

        init(_ name: UnsafeRawBufferPointer) {
            for (index, byte) in name.prefix(16).enumerated() {
                let upper = UInt64(byte >= 97 && byte <= 122 ? byte - 32 : byte)
                if index < 8 { low |= upper << UInt64(index * 8) } else { high |= upper << UInt64((index - 8) * 8) }
            }
        }

        init(_ name: String) {
            var name = name
            self = name.withUTF8 { PackedName(UnsafeRawBufferPointer($0)) }
        }
    }

    private static let rules: [PackedName: KeyRule] = {
        var rules: [PackedName: KeyRule] = [:]
        for name in ["FCALL", "FCALL_RO", "EVAL", "EVAL_RO", "EVALSHA", "EVALSHA_RO"] { rules[PackedName(name)] = .script }
        for name in ["MEMORY", "OBJECT"] { rules[PackedName(name)] = .afterSubcommand }
        for name in [
            "PING", "ECHO", "INFO", "FUNCTION", "SCAN", "DBSIZE", "FLUSHALL", "FLUSHDB", "CLUSTER", "CONFIG", "CLIENT",
            "AUTH", "SELECT", "TIME", "COMMAND", "READONLY", "READWRITE", "ASKING", "SCRIPT", "HELLO", "QUIT", "RESET",
            "SAVE", "BGSAVE", "BGREWRITEAOF", "LASTSAVE", "WAIT", "SLOWLOG", "LATENCY", "DEBUG", "ROLE", "RANDOMKEY",
            "KEYS", "SHUTDOWN", "REPLICAOF", "SLAVEOF", "SWAPDB", "MONITOR",
        ] { rules[PackedName(name)] = KeyRule.none }
        return rules
    }()

    /// Reads a non-negative decimal number ending in CRLF at `position`, moving past the CRLF.
    private static func number(_ bytes: UnsafeRawBufferPointer, _ position: inout Int) throws -> Int {
        let start = position
        var value = 0
        while position < bytes.count, bytes[position] != 13 {
            let digit = Int(bytes[position]) - 48
            guard digit >= 0, digit <= 9, value < Int.max / 10 - 9 else { throw malformed(at: start) }
            value = value * 10 + digit
            position += 1
        }
        guard position > start, position + 1 < bytes.count, bytes[position + 1] == 10 else { throw malformed(at: start) }
        position += 2
        return value
    }

    private static func malformed(at position: Int) -> RedisError {
        RedisError(
            code: .protocolError,
            message: "commands handed to a Redis Cluster client are not RESP arrays of bulk strings (at byte \(position))")
    }
}

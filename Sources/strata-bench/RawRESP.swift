import Foundation
import StrataRedis
#if canImport(Glibc)
import Glibc
#endif

/// The fastest way a client can talk to Redis, as the online suite's baseline: commands encoded in
/// the Redis protocol into one buffer and sent with one `write`, replies read in large `read`s and
/// only walked over (their lengths checked, nothing decoded or allocated per reply).
final class RawRESP {
    private let socket: Int32
    private var input = [UInt8](repeating: 0, count: 1 << 20)
    private var filled = 0
    /// Scratch buffer for commands encoded inside a timed region, kept across calls.
    var output: [UInt8] = []

    init(url: RedisURL) throws {
        var hints = addrinfo()
        hints.ai_family = AF_INET
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var found: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(url.host, String(url.port), &hints, &found) == 0, let address = found else {
            throw BenchServersError(.unreachable, "cannot resolve \(url.redacted)")
        }
        defer { freeaddrinfo(found) }
        socket = Glibc.socket(address.pointee.ai_family, address.pointee.ai_socktype, address.pointee.ai_protocol)
        guard socket >= 0, connect(socket, address.pointee.ai_addr, address.pointee.ai_addrlen) == 0 else {
            throw BenchServersError(.unreachable, "raw connection to \(url.redacted) failed: \(String(cString: strerror(errno)))")
        }
        var one: Int32 = 1
        setsockopt(socket, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var handshake: [UInt8] = []
        if let password = url.password {
            RawRESP.encode(url.user.map { ["AUTH", $0, password] } ?? ["AUTH", password], into: &handshake)
        }
        if url.database != 0 { RawRESP.encode(["SELECT", String(url.database)], into: &handshake) }
        if !handshake.isEmpty {
            send(handshake)
            receive(replies: (url.password == nil ? 0 : 1) + (url.database == 0 ? 0 : 1))
        }
    }

    deinit { close(socket) }

    /// Appends one command in the Redis protocol to `buffer`.
    static func encode(_ arguments: [String], into buffer: inout [UInt8]) {
        encode(arguments.map { Array($0.utf8) }, into: &buffer)
    }

    /// Appends one command in the Redis protocol to `buffer`.
    static func encode(_ arguments: [[UInt8]], into buffer: inout [UInt8]) {
        buffer.append(UInt8(ascii: "*"))
        appendDecimal(arguments.count, to: &buffer)
        for argument in arguments {
            buffer.append(UInt8(ascii: "$"))
            appendDecimal(argument.count, to: &buffer)
            buffer.append(contentsOf: argument)
            buffer.append(contentsOf: [13, 10])
        }
    }

    /// Appends the three-argument command `a b c` (such as `SET key value`) to `buffer`, without
    /// building an argument array.
    @inline(__always)
    static func encode(_ a: [UInt8], _ b: [UInt8], _ c: [UInt8], into buffer: inout [UInt8]) {
        buffer.append(contentsOf: [UInt8(ascii: "*"), UInt8(ascii: "3"), 13, 10])
        func put(_ argument: [UInt8]) {
            buffer.append(UInt8(ascii: "$"))
            appendDecimal(argument.count, to: &buffer)
            buffer.append(contentsOf: argument)
            buffer.append(contentsOf: [13, 10])
        }
        put(a)
        put(b)
        put(c)
    }

    /// Appends `value` in decimal and CRLF.
    @inline(__always)
    static func appendDecimal(_ value: Int, to buffer: inout [UInt8]) {
        appendDigits(value, to: &buffer)
        buffer.append(contentsOf: [13, 10])
    }

    /// Appends the decimal digits of `value` (not negative).
    @inline(__always)
    static func appendDigits(_ value: Int, to buffer: inout [UInt8]) {
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        var rest = value
        withUnsafeMutableBytes(of: &digits) { bytes in
            repeat {
                bytes[count] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
                count += 1
            } while rest > 0
            for i in stride(from: count - 1, through: 0, by: -1) { buffer.append(bytes[i]) }
        }
    }

    /// Writes `bytes` to the socket: one `write` unless the kernel takes less.
    func send(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw in
            var sent = 0
            while sent < raw.count {
                let n = write(socket, raw.baseAddress! + sent, raw.count - sent)
                if n <= 0 { return }
                sent += n
            }
        }
    }

    /// Reads until `replies` complete replies have arrived, walking over them without decoding.
    func receive(replies: Int) {
        var remaining = replies
        var position = 0
        while remaining > 0 {
            while remaining > 0, let next = RawRESP.skip(input, from: position, to: filled) {
                position = next
                remaining -= 1
            }
            if remaining == 0 { break }
            if position > 0 {
                input.withUnsafeMutableBytes { bytes in
                    _ = memmove(bytes.baseAddress!, bytes.baseAddress! + position, filled - position)
                }
                filled -= position
                position = 0
            }
            if filled == input.count { input.append(contentsOf: [UInt8](repeating: 0, count: input.count)) }
            let n = input.withUnsafeMutableBytes { read(socket, $0.baseAddress! + filled, $0.count - filled) }
            if n <= 0 { return }
            filled += n
        }
        if position < filled {
            input.withUnsafeMutableBytes { bytes in
                _ = memmove(bytes.baseAddress!, bytes.baseAddress! + position, filled - position)
            }
        }
        filled -= position
    }

    /// Sends `request` (already encoded) and waits for its `replies`: one round trip.
    func roundTrip(_ request: [UInt8], replies: Int) {
        send(request)
        receive(replies: replies)
    }

    /// The position after the reply starting at `start`, or nil when it has not fully arrived.
    static func skip(_ bytes: [UInt8], from start: Int, to end: Int) -> Int? {
        guard start < end else { return nil }
        var i = start + 1
        var number = 0
        var negative = false
        while i < end, bytes[i] != 13 {
            if bytes[i] == UInt8(ascii: "-") { negative = true } else { number = number &* 10 &+ Int(bytes[i] &- 48) }
            i += 1
        }
        guard i + 1 < end else { return nil }
        let afterLine = i + 2
        switch bytes[start] {
        case UInt8(ascii: "$"):
            if negative { return afterLine }
            let next = afterLine + number + 2
            return next <= end ? next : nil
        case UInt8(ascii: "*"):
            if negative { return afterLine }
            var position = afterLine
            for _ in 0..<number {
                guard let next = skip(bytes, from: position, to: end) else { return nil }
                position = next
            }
            return position
        default:
            return afterLine
        }
    }
}

import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A minimal blocking HTTP/1.1 client for a server on 127.0.0.1 run as a separate process: the serve
/// bench's set-up and checks (not for load: wrk does that) and the tests of the `strata serve` binary.
public enum LoopbackHTTP {
    /// A whole reply.
    public struct Reply: Sendable {
        public var status: Int
        public var body: [UInt8]

        /// The body as text.
        public var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// Sends one request to 127.0.0.1:`port` with `Connection: close` and reads the whole reply, waiting
    /// at most `timeoutSeconds` for each read.
    public static func request(
        port: Int, method: String, path: String, body: String = "", headers: [String: String] = [:],
        timeoutSeconds: Int = 120
    ) throws -> Reply {
        let fd = try connect(port: port, timeoutSeconds: timeoutSeconds)
        defer { close(fd) }
        try send(fd, Array(text(method: method, path: path, body: body, headers: headers, close: true).utf8), port: port)
        var response: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            response += chunk[0..<n]
        }
        guard let end = headEnd(response, from: 0) else {
            throw failure("port \(port) sent no HTTP reply to \(method) \(path)")
        }
        return Reply(status: status(response, end: end), body: Array(response[(end + 4)...]))
    }

    /// The text of an HTTP/1.1 request with a `Content-Length` body; with `close`, it asks for the
    /// connection to be closed after the reply.
    public static func text(
        method: String, path: String, body: String = "", headers: [String: String] = [:], close: Bool = false
    ) -> String {
        "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n"
            + (close ? "Connection: close\r\n" : "") + headers.map { "\($0.key): \($0.value)\r\n" }.joined() + "\r\n\(body)"
    }

    /// Sends `requests` (whole requests, e.g. from `text`) back to back in one write on one connection,
    /// as a pipelining client does, and reads one reply for each, in order. Replies must carry a
    /// `Content-Length`. Also returns whether the server closed the connection after the last reply.
    public static func pipeline(port: Int, requests: [String], timeoutSeconds: Int = 60) throws -> (replies: [Reply], closed: Bool) {
        let fd = try connect(port: port, timeoutSeconds: timeoutSeconds)
        defer { close(fd) }
        try send(fd, Array(requests.joined().utf8), port: port)
        var response: [UInt8] = []
        var replies: [Reply] = []
        var start = 0
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while replies.count < requests.count {
            if let end = headEnd(response, from: start) {
                let head = String(decoding: response[start..<end], as: UTF8.self).lowercased()
                guard let line = head.split(separator: "\r\n").first(where: { $0.hasPrefix("content-length:") }),
                      let length = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces))
                else { throw failure("port \(port) sent a reply without Content-Length: \(head)") }
                if response.count >= end + 4 + length {
                    replies.append(Reply(status: status(Array(response[start...]), end: end - start), body: Array(response[(end + 4)..<(end + 4 + length)])))
                    start = end + 4 + length
                    continue
                }
            }
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { throw failure("port \(port) closed the connection after \(replies.count) of \(requests.count) replies") }
            response += chunk[0..<n]
        }
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
        var closed = n == 0
        if n < 0 {
            // Nothing to read yet: wait briefly for the server's close, if it is coming.
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            if poll(&poller, 1, 1000) > 0 {
                closed = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) } == 0
            }
        }
        return (replies, closed)
    }

    private static func connect(port: Int, timeoutSeconds: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw failure("socket: \(String(cString: strerror(errno)))") }
        var limit = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw failure("connect to port \(port): \(reason)")
        }
        return fd
    }

    private static func send(_ fd: Int32, _ bytes: [UInt8], port: Int) throws {
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { throw failure("send to port \(port) failed") }
            sent += n
        }
    }

    /// Where the head that starts at `from` ends (the index of its blank line's `\r\n\r\n`).
    private static func headEnd(_ bytes: [UInt8], from: Int) -> Int? {
        guard bytes.count >= from + 4 else { return nil }
        return (from...(bytes.count - 4)).first { bytes[$0] == 13 && bytes[$0 + 1] == 10 && bytes[$0 + 2] == 13 && bytes[$0 + 3] == 10 }
    }

    private static func status(_ bytes: [UInt8], end: Int) -> Int {
        String(decoding: bytes[0..<end], as: UTF8.self).split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
    }

    private static func failure(_ description: String) -> TestServices.Failure {
        TestServices.Failure(description: description)
    }
}

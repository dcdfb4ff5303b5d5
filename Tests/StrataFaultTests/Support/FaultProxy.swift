import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A TCP proxy on 127.0.0.1 in front of a real server that loses connections where a test says: the network
/// failing under a client, at a chosen byte of what the client sends.
///
/// Each accepted connection, numbered from 0, asks `cut` whether to lose it. A `Cut` waits for `marker` in
/// what the client sends, lets `after` more bytes through (counted from the marker's first byte; 0 drops the
/// marker itself), then closes both sides, so the server sees the commands before that point and none after.
final class FaultProxy: @unchecked Sendable {
    /// Where a connection is lost.
    struct Cut: Sendable {
        /// Bytes the client sends that start the count, e.g. the command name `HGET`.
        var marker: [UInt8]
        /// How many bytes from the marker's start still reach the server.
        var after: Int

        /// Loses the connection just before the client's first `marker` reaches the server.
        static func before(_ marker: String) -> Cut { Cut(marker: Array(marker.utf8), after: 0) }
    }

    /// The port clients connect to.
    let port: Int
    private let upstreamPort: Int
    private let cut: @Sendable (Int) -> Cut?
    private let listener: Int32
    private let lock = NSLock()
    private var accepted = 0
    private var lost = 0
    private var sockets: Set<Int32> = []
    private var stopped = false

    /// Starts a proxy to `127.0.0.1:upstreamPort`.
    init(upstreamPort: Int, cut: @escaping @Sendable (_ connection: Int) -> Cut?) throws {
        self.upstreamPort = upstreamPort
        self.cut = cut
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw Self.failure("socket") }
        var address = Self.loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard bound == 0, listen(descriptor, 64) == 0, named == 0 else {
            close(descriptor)
            throw Self.failure("bind/listen")
        }
        listener = descriptor
        port = Int(UInt16(bigEndian: address.sin_port))
        let thread = Thread { [self] in acceptLoop() }
        thread.name = "fault-proxy-accept"
        thread.start()
    }

    deinit { stop() }

    /// Connections accepted so far.
    var connections: Int { lock.withLock { accepted } }
    /// Connections the proxy lost on purpose so far.
    var cuts: Int { lock.withLock { lost } }

    /// Stops accepting and closes every connection.
    func stop() {
        let open: Set<Int32> = lock.withLock {
            guard !stopped else { return [] }
            stopped = true
            return sockets
        }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        for socket in open { shutdown(socket, Int32(SHUT_RDWR)) }
    }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            guard client >= 0 else {
                if errno == EINTR { continue }
                return
            }
            let index: Int? = lock.withLock {
                guard !stopped else { return nil }
                accepted += 1
                return accepted - 1
            }
            guard let index else {
                close(client)
                return
            }
            let server = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = Self.loopback(port: upstreamPort)
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(server, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard server >= 0, connected == 0 else {
                close(client)
                if server >= 0 { close(server) }
                continue
            }
            lock.withLock {
                sockets.insert(client)
                sockets.insert(server)
            }
            let pair = Pair(client: client, server: server)
            let rule = cut(index)
            let upward = Thread { [self] in pump(from: client, to: server, cut: rule, pair: pair) }
            let downward = Thread { [self] in pump(from: server, to: client, cut: nil, pair: pair) }
            upward.start()
            downward.start()
        }
    }

    /// The two sockets of one proxied connection, closed once when both directions are done.
    private final class Pair: @unchecked Sendable {
        let client: Int32
        let server: Int32
        private let lock = NSLock()
        private var open = 2

        init(client: Int32, server: Int32) {
            self.client = client
            self.server = server
        }

        /// Shuts both sockets down, so the other direction's pump ends too.
        func breakBoth() {
            shutdown(client, Int32(SHUT_RDWR))
            shutdown(server, Int32(SHUT_RDWR))
        }

        /// Whether this was the last direction to finish.
        func finishOne() -> Bool {
            lock.withLock {
                open -= 1
                return open == 0
            }
        }
    }

    private func pump(from source: Int32, to target: Int32, cut: Cut?, pair: Pair) {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        var seen: [UInt8] = []
        var markerAt: Int?
        var forwarded = 0
        loop: while true {
            let count = buffer.withUnsafeMutableBytes { recv(source, $0.baseAddress, $0.count, 0) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            var chunk = Array(buffer[0..<count])
            var cutNow = false
            if let cut {
                if markerAt == nil {
                    // Keep enough of the stream to find a marker split across reads.
                    let start = max(0, seen.count - cut.marker.count)
                    seen = Array(seen[start...]) + chunk
                    if let found = Self.find(cut.marker, in: seen) {
                        markerAt = forwarded + found - (seen.count - chunk.count)
                    }
                }
                if let markerAt, forwarded + chunk.count > markerAt + cut.after {
                    chunk = Array(chunk[0..<max(0, markerAt + cut.after - forwarded)])
                    cutNow = true
                }
            }
            guard Self.sendAll(chunk, to: target) else { break }
            forwarded += chunk.count
            if cutNow {
                lock.withLock { lost += 1 }
                break loop
            }
        }
        pair.breakBoth()
        if pair.finishOne() {
            lock.withLock {
                sockets.remove(pair.client)
                sockets.remove(pair.server)
            }
            close(pair.client)
            close(pair.server)
        }
    }

    private static func sendAll(_ bytes: [UInt8], to socket: Int32) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let count = bytes.withUnsafeBytes { send(socket, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return false }
            sent += count
        }
        return true
    }

    private static func find(_ marker: [UInt8], in bytes: [UInt8]) -> Int? {
        guard !marker.isEmpty, bytes.count >= marker.count else { return nil }
        for start in 0...(bytes.count - marker.count) where bytes[start] == marker[0] {
            if bytes[start..<start + marker.count].elementsEqual(marker) { return start }
        }
        return nil
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }

    private static func failure(_ call: String) -> Error {
        FaultTestError(description: "the fault proxy's \(call) failed: \(String(cString: strerror(errno)))")
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// TCP ports on 127.0.0.1: finding a free one and checking whether one answers.
public enum Loopback {
    /// A port that was free a moment ago, found by binding port 0 and letting the kernel choose.
    public static func freePort() -> Int? {
        withSocket { socket in
            guard bind(socket, port: 0) else { return nil }
            var address = sockaddr_in()
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let found = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) }
            }
            return found == 0 ? Int(in_port_t(bigEndian: address.sin_port)) : nil
        }
    }

    /// `requested` when it is free, or a free port when nil; a taken `requested` port is an error.
    static func choosePort(_ requested: Int?) throws -> Int {
        if let requested {
            guard isFree(requested) else {
                throw LocalServicesError(
                    code: .startFailed,
                    message: "port \(requested) on 127.0.0.1 is taken; stop what listens there or let Strata pick a port")
            }
            return requested
        }
        guard let port = freePort() else {
            throw LocalServicesError(code: .startFailed, message: "could not find a free port on 127.0.0.1")
        }
        return port
    }

    /// Whether a server could bind `port` now (ignoring connections lingering in TIME_WAIT, as servers do).
    static func isFree(_ port: Int) -> Bool {
        withSocket { socket in
            var yes: Int32 = 1
            setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
            return bind(socket, port: port)
        } ?? false
    }

    /// Whether something accepts TCP connections on `port`.
    public static func accepts(_ port: Int) -> Bool {
        withSocket { socket in
            var limit = timeval(tv_sec: 1, tv_usec: 0)
            setsockopt(socket, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
            var address = loopback(port: port)
            return withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
                }
            }
        } ?? false
    }

    private static func withSocket<R>(_ body: (Int32) -> R?) -> R? {
        #if canImport(Glibc)
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let descriptor = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        return body(descriptor)
    }

    private static func bind(_ socket: Int32, port: Int) -> Bool {
        var address = loopback(port: port)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                #if canImport(Glibc)
                Glibc.bind(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
                #else
                Darwin.bind(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
                #endif
            }
        }
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(port).bigEndian
        address.sin_addr = in_addr(s_addr: in_addr_t(0x7F00_0001).bigEndian)
        return address
    }
}

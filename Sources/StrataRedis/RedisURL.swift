/// The address of a Redis server: `redis://[[user]:password@]host[:port][/db]`, the password also accepted as
/// `?password=...`.
public struct RedisURL: Sendable, Hashable, CustomStringConvertible {
    /// The host name or IP address (IPv6 addresses without brackets).
    public var host: String
    /// The TCP port (6379 unless the URL says otherwise).
    public var port: Int
    /// The logical database selected after connecting (0 unless the URL says otherwise).
    public var database: Int
    /// The ACL user name sent with `AUTH`, if any.
    public var user: String?
    /// The password sent with `AUTH`, if any.
    public var password: String?

    /// Creates a URL from its parts.
    public init(host: String, port: Int = 6379, database: Int = 0, user: String? = nil, password: String? = nil) {
        self.host = host
        self.port = port
        self.database = database
        self.user = user
        self.password = password
    }

    /// Parses `redis://[[user]:password@]host[:port][/db][?password=...]`; user and password may be
    /// percent-encoded, and a user given without a password is kept but sends no `AUTH`.
    ///
    /// The user information runs to the last `@` before the first `?`, so a password may hold `@` and `/`
    /// unencoded, but not `?`. Errors never quote the password, nor any query value.
    public init(_ string: String) throws {
        func bad(_ reason: String) -> RedisError {
            RedisError(
                code: .badURL,
                message: "bad Redis URL \(RedisURL.redact(string)): \(reason); expected redis://[[user]:password@]host[:port][/db][?password=...]",
                url: RedisURL.redact(string)
            )
        }
        let scheme = "redis://"
        guard string.hasPrefix(scheme) else {
            throw bad(string.hasPrefix("rediss://") ? "TLS (rediss://) is not supported" : "the scheme must be redis://")
        }
        var rest = Substring(string.dropFirst(scheme.count))
        user = nil
        password = nil
        let queryStart = rest.firstIndex(of: "?") ?? rest.endIndex
        if let at = rest[..<queryStart].lastIndex(of: "@") {
            let userInfo = rest[..<at]
            rest = rest[rest.index(after: at)...]
            let name = userInfo.firstIndex(of: ":").map { userInfo[..<$0] } ?? userInfo
            guard let decodedName = RedisURL.percentDecode(name) else {
                throw bad("the user name has a bad percent-encoding")
            }
            user = name.isEmpty ? nil : decodedName
            if name.endIndex < userInfo.endIndex {
                guard let decoded = RedisURL.percentDecode(userInfo[userInfo.index(after: name.endIndex)...]) else {
                    throw bad("the password has a bad percent-encoding")
                }
                password = decoded
            }
        }
        if let question = rest.firstIndex(of: "?") {
            let query = rest[rest.index(after: question)...]
            rest = rest[..<question]
            for parameter in query.split(separator: "&") {
                let parts = parameter.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let name = parts[0]
                guard name == "password", parts.count == 2 else {
                    let shown = name.allSatisfy { $0.isLetter || $0 == "_" } ? " '\(name)'" : ""
                    throw bad("the query parameter\(shown) is not supported (only password=...)")
                }
                guard password == nil else { throw bad("the password is given twice") }
                guard let decoded = RedisURL.percentDecode(parts[1]) else {
                    throw bad("the password has a bad percent-encoding")
                }
                password = decoded
            }
        }
        var path = Substring("")
        if let slash = rest.firstIndex(of: "/") {
            path = rest[rest.index(after: slash)...]
            rest = rest[..<slash]
        }
        var portText: Substring?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { throw bad("the IPv6 address has no closing ]") }
            host = String(rest[rest.index(after: rest.startIndex)..<close])
            let after = rest[rest.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw bad("unexpected text after the IPv6 address") }
                portText = after.dropFirst()
            }
        } else if let colon = rest.firstIndex(of: ":") {
            host = String(rest[..<colon])
            portText = rest[rest.index(after: colon)...]
        } else {
            host = String(rest)
        }
        guard !host.isEmpty else { throw bad("the host is missing") }
        if let portText {
            guard let value = Int(portText), (1...65535).contains(value) else {
                // Only digits are quoted: other text there may be a password missing its `@`.
                let shown = portText.allSatisfy(\.isNumber) ? " '\(portText)'" : ""
                throw bad("the port\(shown) is not a number from 1 to 65535")
            }
            port = value
        } else {
            port = 6379
        }
        if path.isEmpty {
            database = 0
        } else {
            guard let value = Int(path), value >= 0 else {
                let shown = path.allSatisfy { $0.isNumber || $0 == "-" } ? " '\(path)'" : ""
                throw bad("the database\(shown) is not a non-negative number")
            }
            database = value
        }
    }

    /// The URL with its password, suitable for handing to another client; never log it.
    public var absoluteString: String {
        format(password: password.map(RedisURL.percentEncode))
    }

    /// The URL with the password replaced by `***`, safe for logs and error messages.
    public var redacted: String {
        format(password: password == nil ? nil : "***")
    }

    /// The redacted form, so that printing a URL never leaks its password.
    public var description: String { redacted }

    private func format(password: String?) -> String {
        var result = "redis://"
        if user != nil || password != nil {
            result += user.map(RedisURL.percentEncode) ?? ""
            if let password { result += ":" + password }
            result += "@"
        }
        result += host.contains(":") ? "[\(host)]" : host
        return result + ":\(port)/\(database)"
    }

    /// Hides the secrets of a URL that may not parse: whatever lies between the user's `:` and the last `@`
    /// before the first `?`, a port that is not a number (a password missing its `@`, perhaps), and the whole
    /// query (which may hold `password=`).
    static func redact(_ string: String) -> String {
        let start = string.firstRange(of: "://")?.upperBound ?? string.startIndex
        let queryStart = string[start...].firstIndex(of: "?") ?? string.endIndex
        var result = String(string[..<start])
        var hostStart = start
        if let at = string[start..<queryStart].lastIndex(of: "@") {
            let userInfo = string[start..<at]
            result += userInfo.firstIndex(of: ":").map { userInfo[..<$0] + ":***" } ?? Substring(userInfo)
            result += "@"
            hostStart = string.index(after: at)
        }
        let address = string[hostStart..<queryStart]
        let hostEnd = address.firstIndex(of: "/") ?? address.endIndex
        if let colon = address[..<hostEnd].lastIndex(of: ":"), !address[..<hostEnd].hasSuffix("]"),
           !address[address.index(after: colon)..<hostEnd].allSatisfy(\.isNumber) {
            result += address[...colon] + "***" + address[hostEnd...]
        } else {
            result += address
        }
        return queryStart < string.endIndex ? result + "?***" : result
    }

    private static func percentDecode(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                return nil
            }
            bytes.append(high << 4 | low)
        }
        let decoded = String(decoding: bytes, as: UTF8.self)
        return decoded.utf8.elementsEqual(bytes) ? decoded : nil
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    private static func percentEncode(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var bytes: [UInt8] = []
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
                 UInt8(ascii: "_"), UInt8(ascii: "~"):
                bytes.append(byte)
            default:
                bytes += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// Helpers for libpq connection strings that must never leak a password.
public enum PostgresURL {
    /// The connection string with any password replaced by `***`, safe for logs and messages.
    ///
    /// Handles URIs (`postgresql://user:secret@host/db`, `?password=secret`; the user information is taken up to
    /// the last `@` before the query, which hides more than libpq's rule, up to the first `/`, when a password
    /// holds an unencoded `/`) and key-value strings (`host=h password=secret`, with
    /// spaces around `=`, quoted values and backslash escapes). The rest of a key-value string that does not
    /// parse is hidden whole, since libpq may have read a password in it.
    public static func redacted(_ url: String) -> String {
        scan(url).redacted
    }

    /// `text`, a message about a connection to `url` (such as libpq's reason for refusing it), with every password
    /// that `url` carries replaced by `***`: libpq quotes parts of a malformed string in its messages.
    public static func hidingPasswords(of url: String, in text: String) -> String {
        var result = text
        for secret in scan(url).secrets.sorted(by: { $0.count > $1.count }) where secret.count >= 3 {
            result = result.replacing(secret, with: "***")
        }
        return result
    }

    /// A redacted copy of a connection string and the secrets it hid (raw and percent-decoded).
    private struct Scan {
        var redacted = ""
        var secrets: [String] = []
    }

    private static func scan(_ url: String) -> Scan {
        if let schemeEnd = url.firstRange(of: "://") {
            return scanURI(url, afterScheme: schemeEnd.upperBound)
        }
        return scanKeyValues(Substring(url))
    }

    private static func scanURI(_ url: String, afterScheme start: String.Index) -> Scan {
        var scan = Scan()
        let rest = url[start...]
        let queryStart = rest.firstIndex(of: "?") ?? rest.endIndex
        var text = Substring(url)
        if let at = rest[..<queryStart].lastIndex(of: "@"), let colon = rest[..<at].firstIndex(of: ":") {
            let secret = url[url.index(after: colon)..<at]
            scan.secrets += [String(secret), percentDecoded(secret)]
            text = url[..<url.index(after: colon)] + "***" + url[at...]
        }
        // Query parameters: every `password=` value, wherever a `?` or `&` starts a parameter.
        var output = ""
        var remaining = text[...]
        while let range = remaining.firstRange(of: "password=") {
            let before = range.lowerBound == remaining.startIndex ? nil : remaining[remaining.index(before: range.lowerBound)]
            output += remaining[..<range.upperBound]
            remaining = remaining[range.upperBound...]
            guard before == "?" || before == "&" else { continue }
            let end = remaining.firstIndex(where: { $0 == "&" || $0 == "#" }) ?? remaining.endIndex
            scan.secrets += [String(remaining[..<end]), percentDecoded(remaining[..<end])]
            output += "***"
            remaining = remaining[end...]
        }
        scan.redacted = output + remaining
        return scan
    }

    /// Walks `key = value` pairs as libpq's conninfo parser does; from the first token that is not a pair on,
    /// everything is hidden.
    private static func scanKeyValues(_ text: Substring) -> Scan {
        var scan = Scan()
        var index = text.startIndex
        func skipSpaces() {
            while index < text.endIndex, text[index].isWhitespace { index = text.index(after: index) }
        }
        while true {
            let pairStart = index
            skipSpaces()
            scan.redacted += text[pairStart..<index]
            guard index < text.endIndex else { return scan }
            let keyStart = index
            while index < text.endIndex, !text[index].isWhitespace, text[index] != "=" { index = text.index(after: index) }
            let key = text[keyStart..<index]
            skipSpaces()
            guard index < text.endIndex, text[index] == "=", !key.isEmpty else {
                hideRest(from: keyStart)
                return scan
            }
            index = text.index(after: index)
            skipSpaces()
            let valueStart = index
            guard let value = readValue() else {
                hideRest(from: keyStart)
                return scan
            }
            if key == "password" {
                scan.redacted += text[keyStart..<valueStart] + "***"
                scan.secrets += [value, String(text[valueStart..<index])]
            } else {
                scan.redacted += text[keyStart..<index]
            }
        }

        /// Reads a bare or single-quoted value with backslash escapes; nil when a quote is not closed.
        func readValue() -> String? {
            var value = ""
            let quoted = index < text.endIndex && text[index] == "'"
            if quoted { index = text.index(after: index) }
            while index < text.endIndex {
                let character = text[index]
                if quoted ? character == "'" : character.isWhitespace { break }
                if character == "\\" {
                    index = text.index(after: index)
                    guard index < text.endIndex else { break }
                }
                value.append(text[index])
                index = text.index(after: index)
            }
            if quoted {
                guard index < text.endIndex else { return nil }
                index = text.index(after: index)
            }
            return value
        }

        func hideRest(from start: Substring.Index) {
            scan.redacted += "***"
            scan.secrets += text[start...].split(whereSeparator: \.isWhitespace).map(String.init)
            scan.secrets.append(String(text[start...]))
        }
    }

    private static func percentDecoded(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next(), let low = iterator.next(),
                  let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
            else { return String(text) }
            bytes.append(value)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

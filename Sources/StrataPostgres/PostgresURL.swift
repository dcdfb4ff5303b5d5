/// Helpers for libpq connection strings that must never leak a password.
public enum PostgresURL {
    /// The connection string with any password replaced by `***`, safe for logs and messages.
    ///
    /// Handles URIs (`postgresql://user:secret@host/db`, `?password=secret`) and
    /// key-value strings (`host=h password=secret`).
    public static func redacted(_ url: String) -> String {
        var text = url
        if let schemeEnd = text.firstRange(of: "://") {
            let afterScheme = text[schemeEnd.upperBound...]
            let authorityEnd = afterScheme.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? afterScheme.endIndex
            let authority = text[schemeEnd.upperBound..<authorityEnd]
            if let at = authority.lastIndex(of: "@"), let colon = authority[..<at].firstIndex(of: ":") {
                text.replaceSubrange(text.index(after: colon)..<at, with: "***")
            }
        }
        return redactPasswordParameter(text)
    }

    private static func redactPasswordParameter(_ text: String) -> String {
        var result = ""
        var rest = Substring(text)
        while let range = rest.firstRange(of: "password=") {
            let before = range.lowerBound == rest.startIndex ? nil : rest[rest.index(before: range.lowerBound)]
            result += rest[..<range.upperBound]
            rest = rest[range.upperBound...]
            guard before == nil || before == "?" || before == "&" || before == " " else { continue }
            let end = rest.firstIndex(where: { $0 == "&" || $0 == " " }) ?? rest.endIndex
            result += "***"
            rest = rest[end...]
        }
        return result + rest
    }
}

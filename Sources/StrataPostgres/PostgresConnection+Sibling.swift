internal import CLibPQ

extension PostgresConnection {
    /// A new connection to the same server and database, with the same options (user, password, TLS,
    /// timeouts) as this one, read back from libpq (`PQconninfo`), so that callers that need several
    /// connections never hold the URL or its password themselves.
    /// - Throws: `PostgresError` `.connectionFailed` when the server refuses it (e.g. too many clients).
    public func openSibling() throws -> PostgresConnection {
        guard let options = PQconninfo(conn) else {
            throw PostgresError(code: .connectionFailed, message: "libpq could not describe the connection to \(redactedURL)")
        }
        defer { PQconninfoFree(options) }
        var keywords: [String] = []
        var values: [String] = []
        var password: String?
        var option = options
        while let keyword = option.pointee.keyword {
            if let value = option.pointee.val {
                let name = String(cString: keyword)
                let text = String(cString: value)
                keywords.append(name)
                values.append(text)
                if name == "password" { password = text }
            }
            option += 1
        }
        return try PostgresConnection(
            keywords: keywords, values: values, expandingDatabaseName: false, redactedURL: redactedURL
        ) { message in
            guard let password, password.count >= 3 else { return message }
            return message.replacing(password, with: "***")
        }
    }
}

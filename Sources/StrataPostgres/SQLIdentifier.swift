/// Validation and quoting of SQL identifiers: names are checked, then always quoted.
public enum SQLIdentifier {
    /// Whether `name` is a plain identifier: a letter or `_`, then letters, digits, `_` or `$`, at most 63 bytes.
    public static func isValid(_ name: String) -> Bool {
        guard let first = name.utf8.first, name.utf8.count <= 63 else { return false }
        guard isLetter(first) || first == UInt8(ascii: "_") else { return false }
        return name.utf8.allSatisfy { isLetter($0) || isDigit($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "$") }
    }

    /// `name` in double quotes, inner quotes doubled; throws when it is not a valid identifier.
    public static func quote(_ name: String) throws -> String {
        guard isValid(name) else {
            throw PostgresError(
                code: .typeMismatch,
                message: "'\(name)' is not a valid SQL identifier (expected a letter or _, then letters, digits, _ or $; at most 63 characters)")
        }
        return "\"" + name.replacingAll("\"", with: "\"\"") + "\""
    }

    /// A possibly schema-qualified name (`schema.table`), each part validated and quoted.
    public static func quoteQualified(_ name: String) throws -> String {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count <= 2 else {
            throw PostgresError(code: .typeMismatch, message: "'\(name)' is not a table name (expected table or schema.table)")
        }
        return try parts.map(quote).joined(separator: ".")
    }

    /// Splits `schema.table` into its schema (nil when unqualified) and table.
    public static func split(_ name: String) -> (schema: String?, name: String) {
        let parts = name.split(separator: ".", maxSplits: 1).map(String.init)
        return parts.count == 2 ? (parts[0], parts[1]) : (nil, name)
    }

    /// A string literal for the rare places where SQL cannot take a parameter (e.g. COPY options).
    public static func literal(_ value: String) -> String {
        "'" + value.replacingAll("'", with: "''") + "'"
    }

    private static func isLetter(_ c: UInt8) -> Bool {
        (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
    }

    private static func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }
}

extension String {
    func replacingAll(_ target: Character, with replacement: String) -> String {
        var out = ""
        out.reserveCapacity(utf8.count)
        for c in self {
            if c == target { out += replacement } else { out.append(c) }
        }
        return out
    }
}

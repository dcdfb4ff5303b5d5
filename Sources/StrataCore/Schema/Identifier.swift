/// The rule for names in schema files, which become PostgreSQL and Redis names.
enum Identifier {
    /// PostgreSQL's limit on identifier length (NAMEDATALEN - 1).
    static let maximumLength = 63

    /// What `isValid` accepts, for error messages.
    static let expected = "letters, digits and underscores, not starting with a digit, at most \(maximumLength) characters"

    /// Whether `text` matches `[A-Za-z_][A-Za-z0-9_]*` and has at most 63 characters.
    static func isValid(_ text: String) -> Bool {
        let bytes = text.utf8
        guard let first = bytes.first, bytes.count <= maximumLength, !isDigit(first) else { return false }
        return bytes.allSatisfy { isLetter($0) || isDigit($0) || $0 == UInt8(ascii: "_") }
    }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}

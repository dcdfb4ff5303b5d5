/// A JSON value parsed from a request body. Numbers keep their text, so that an integer key stays exact
/// and `2` and `2.0` stay distinguishable; objects keep their members in order.
enum JSONValue: Sendable {
    case null
    case bool(Bool)
    case number(Substring)
    case string(String)
    case array([JSONValue])
    case object([(key: String, value: JSONValue)])

    /// The member `key` of an object (the last one when repeated, as Python's `json` reads it); nil
    /// for a missing member or a value that is not an object.
    subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.last { $0.key == key }?.value
    }

    /// The member `key` of an object, nil when missing or null (Feast's clients send null for "not given").
    func given(_ key: String) -> JSONValue? {
        guard let value = self[key] else { return nil }
        if case .null = value { return nil }
        return value
    }

    /// The value as a 64-bit integer when it is a JSON number written as one (no fraction, no exponent)
    /// that fits.
    var int64: Int64? {
        guard case .number(let text) = self else { return nil }
        return Int64(text)
    }

    /// The value as a double when it is a JSON number.
    var double: Double? {
        guard case .number(let text) = self else { return nil }
        return Double(text)
    }

    /// The text of a string value.
    var string: String? {
        guard case .string(let text) = self else { return nil }
        return text
    }

    /// A short rendering for error messages: strings quoted, long values cut.
    var excerpt: String {
        let text: String
        switch self {
        case .null: text = "null"
        case .bool(let value): text = value ? "true" : "false"
        case .number(let value): text = String(value)
        case .string(let value): text = "\"\(value)\""
        case .array(let values): text = "an array of \(values.count)"
        case .object(let members): text = "an object of \(members.count) members"
        }
        return text.count > 60 ? String(text.prefix(57)) + "..." : text
    }

    /// The JSON type name, for error messages.
    var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

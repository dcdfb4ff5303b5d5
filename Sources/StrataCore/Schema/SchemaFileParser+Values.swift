import Yams

extension SchemaFileParser {
    /// A YAML mapping whose keys were checked against those its object allows.
    struct CheckedMapping {
        /// The object as messages name it: `feature 'conv_rate' of feature view 'driver_stats'`.
        var subject: String
        /// Where the mapping starts.
        var location: SourceLocation
        var values: [String: Node]
    }

    /// `node` as a mapping of `allowed` keys including `required`, or nil (reported) when it is not a mapping.
    ///
    /// Unknown keys and missing required keys are reported; the object is named by its `name` key when
    /// `allowed` has one, and by `owner` when it belongs to another object.
    mutating func object(
        _ node: Node, noun: String, of owner: String? = nil, allowed: [String], required: [String]
    ) -> CheckedMapping? {
        let ownerSuffix = owner.map { " of \($0)" } ?? ""
        guard case let .mapping(mapping) = node else {
            report(
                .wrongType,
                "\(noun)\(ownerSuffix) must be a mapping with keys \(allowed.joined(separator: ", ")); "
                    + "found \(describe(node))",
                at: node
            )
            return nil
        }
        var values: [String: Node] = [:]
        var keys: [(name: String, node: Node)] = []
        for (key, value) in mapping {
            guard case let .scalar(scalar) = key else {
                report(.wrongType, "keys of \(noun)\(ownerSuffix) must be names, found \(describe(key))", at: key)
                continue
            }
            values[scalar.string] = value
            keys.append((scalar.string, key))
        }
        var subject = noun
        if allowed.contains("name"), let name = values["name"]?.scalar?.string {
            subject += " '\(name)'"
        }
        subject += ownerSuffix
        for key in keys where !allowed.contains(key.name) {
            report(
                .unknownKey,
                "unknown key '\(key.name)' in \(subject); allowed keys: \(allowed.joined(separator: ", "))",
                at: key.node
            )
        }
        let location = location(of: node)
        for key in required where values[key] == nil {
            report(.missingKey, "\(subject) is missing required key '\(key)'", at: location)
        }
        return CheckedMapping(subject: subject, location: location, values: values)
    }

    /// The value of `key` as a string; nil when absent or (reported) not a string.
    mutating func string(_ object: CheckedMapping, _ key: String) -> Located<String>? {
        guard let node = object.values[key] else { return nil }
        return string(node, what: "'\(key)' of \(object.subject)")
    }

    /// `node` as a string; any scalar but null is taken as written.
    mutating func string(_ node: Node, what: String) -> Located<String>? {
        guard case let .scalar(scalar) = node, tagName(of: node) != .null else {
            report(.wrongType, "\(what) must be a string, found \(describe(node))", at: node)
            return nil
        }
        return Located(value: scalar.string, location: location(of: node))
    }

    /// The value of `key` as a string, reporting it when it is not an identifier.
    mutating func identifier(_ object: CheckedMapping, _ key: String) -> Located<String>? {
        guard let text = string(object, key) else { return nil }
        if !Identifier.isValid(text.value) {
            report(
                .badValue,
                "'\(key)' of \(object.subject) is '\(text.value)', which is not a valid name; "
                    + "expected \(Identifier.expected)",
                at: text.location
            )
        }
        return text
    }

    /// The value of `key` as one of `T`'s cases.
    mutating func choice<T: RawRepresentable & CaseIterable>(
        _ object: CheckedMapping, _ key: String, of type: T.Type
    ) -> Located<T>? where T.RawValue == String {
        guard let text = string(object, key) else { return nil }
        guard let value = T(rawValue: text.value) else {
            let cases = T.allCases.map(\.rawValue).joined(separator: ", ")
            report(
                .badValue, "'\(key)' of \(object.subject) is '\(text.value)'; expected one of: \(cases)",
                at: text.location
            )
            return nil
        }
        return Located(value: value, location: text.location)
    }

    /// The value of `key` as a duration in seconds.
    mutating func duration(_ object: CheckedMapping, _ key: String) -> Located<Int64>? {
        guard let text = string(object, key) else { return nil }
        guard let seconds = Durations.parse(text.value) else {
            report(
                .badValue, "'\(key)' of \(object.subject) is '\(text.value)'; expected \(Durations.expected)",
                at: text.location
            )
            return nil
        }
        return Located(value: seconds, location: text.location)
    }

    /// The value of `key` as a YAML bool.
    mutating func bool(_ object: CheckedMapping, _ key: String) -> Located<Bool>? {
        guard let node = object.values[key] else { return nil }
        guard tagName(of: node) == .bool, let value = node.bool else {
            report(.wrongType, "'\(key)' of \(object.subject) must be true or false, found \(describe(node))", at: node)
            return nil
        }
        return Located(value: value, location: location(of: node))
    }

    /// The value of `key` as a finite number greater than zero.
    mutating func positiveNumber(_ object: CheckedMapping, _ key: String) -> Double? {
        guard let node = object.values[key] else { return nil }
        guard [.int, .float].contains(tagName(of: node)), let value = node.float else {
            report(.wrongType, "'\(key)' of \(object.subject) must be a number, found \(describe(node))", at: node)
            return nil
        }
        guard value.isFinite, value > 0 else {
            report(
                .badValue, "'\(key)' of \(object.subject) is \(node.scalar?.string ?? ""); expected a positive number",
                at: node
            )
            return nil
        }
        return value
    }

    /// The value of `key` as a non-empty list of `item`s.
    mutating func list(_ object: CheckedMapping, _ key: String, of item: String) -> Located<[Node]>? {
        guard let node = object.values[key] else { return nil }
        guard case let .sequence(sequence) = node else {
            report(.wrongType, "'\(key)' of \(object.subject) must be a list of \(item)s, found \(describe(node))", at: node)
            return nil
        }
        guard !sequence.isEmpty else {
            report(.badValue, "'\(key)' of \(object.subject) is empty; expected at least one \(item)", at: node)
            return nil
        }
        return Located(value: Array(sequence), location: location(of: node))
    }

    /// What `node` is, for messages: "a list", "the number 3", "the string 'abc'".
    func describe(_ node: Node) -> String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        case let .scalar(scalar):
            switch tagName(of: node) {
            case .null: return "null"
            case .bool: return "the bool \(scalar.string)"
            case .int, .float: return "the number \(scalar.string)"
            default: return "the string '\(scalar.string)'"
            }
        }
    }

    func location(of node: Node) -> SourceLocation {
        location(of: node.mark)
    }

    func location(of mark: Mark?) -> SourceLocation {
        SourceLocation(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1)
    }

    /// The resolved tag of `node` (`.str`, `.int`, `.null`, ...).
    func tagName(of node: Node) -> Tag.Name {
        Tag.Name(rawValue: node.tag.rawValue)
    }
}

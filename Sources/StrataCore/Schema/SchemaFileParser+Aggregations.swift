import StrataColumnar
import Yams

extension SchemaFileParser {
    /// The keys an aggregation allows, in the order messages list them.
    private static let aggregationKeys = ["name", "column", "function", "window", "type", "drift"]

    /// Reads an aggregation view's `hop` and `aggregations` into `view`, reporting what an aggregation
    /// view cannot have (features, a ttl, an online expiry) and windows that do not fit the hop.
    mutating func aggregations(_ object: CheckedMapping, into view: inout FeatureViewDeclaration) {
        guard object.values["aggregations"] != nil else {
            if let hop = object.values["hop"] {
                report(
                    .badValue,
                    "'hop' of \(object.subject) applies only to aggregation views; expected 'aggregations' too, or no hop",
                    at: hop)
            }
            return
        }
        let rules = [
            ("features", "an aggregation view's features are its aggregations; expected either features or aggregations"),
            ("ttl", "an aggregation view's windows bound the age of its events; expected no ttl"),
            ("online_expiry", "an aggregation view's tiles expire when they leave its longest window; expected no online_expiry"),
        ]
        for (key, reason) in rules {
            guard let node = object.values[key] else { continue }
            report(.badValue, "'\(key)' does not apply to \(object.subject), which declares aggregations: \(reason)", at: node)
        }
        if let hop = duration(object, "hop") {
            if hop.value == 0 {
                report(.badValue, "'hop' of \(object.subject) is 0; expected a positive duration (e.g. 5m, 1h)", at: hop.location)
            } else {
                view.hopSeconds = hop
            }
        }
        guard let list = list(object, "aggregations", of: "aggregation") else { return }
        let declarations = list.value.compactMap { aggregation($0, of: object.subject) }
        view.aggregations = Located(value: declarations, location: list.location)
        checkWindows(declarations, hop: view.hopSeconds, of: object.subject)
    }

    private mutating func aggregation(_ node: Node, of owner: String) -> AggregationDeclaration? {
        guard let object = object(
            node, noun: "aggregation", of: owner, allowed: Self.aggregationKeys,
            required: ["name", "column", "function", "window"]
        ) else { return nil }
        var aggregation = AggregationDeclaration(location: object.location)
        aggregation.name = identifier(object, "name")
        aggregation.function = choice(object, "function", of: WindowFunction.self)
        if let column = string(object, "column") {
            if column.value == Aggregation.allEvents {
                if let function = aggregation.function?.value, function != .count {
                    report(
                        .badValue,
                        "'column' of \(object.subject) is \"*\", which only 'count' takes (to count events); "
                            + "expected the column that \(function.rawValue) reads",
                        at: column.location)
                }
            } else if !Identifier.isValid(column.value) {
                report(
                    .badValue,
                    "'column' of \(object.subject) is '\(column.value)', which is not a valid column name; "
                        + "expected \(Identifier.expected), or \"*\" to count events",
                    at: column.location)
            }
            aggregation.column = column
        }
        if let window = duration(object, "window") {
            if window.value == 0 {
                report(.badValue, "'window' of \(object.subject) is 0; expected a positive duration (e.g. 1h, 7d)", at: window.location)
            } else {
                aggregation.windowSeconds = window
            }
        }
        aggregation.type = choice(object, "type", of: ValueType.self)
        if let type = aggregation.type, let function = aggregation.function?.value {
            let allowed = Aggregation.allowedTypes(of: function)
            if !allowed.contains(type.value) {
                report(
                    .badValue,
                    "'type' of \(object.subject) is \(type.value.rawValue), which \(function.rawValue) does not produce; "
                        + "expected one of: \(allowed.map(\.rawValue).joined(separator: ", "))",
                    at: type.location)
            }
        }
        if let drift = object.values["drift"] {
            aggregation.drift = self.drift(drift, of: object.subject)
        }
        return aggregation
    }

    /// Checks that every window is a multiple of the hop (the declared one, else the default) and
    /// spans at most `Aggregation.maximumTilesPerWindow` tiles.
    private mutating func checkWindows(_ aggregations: [AggregationDeclaration], hop: Located<Int64>?, of owner: String) {
        let windows = aggregations.compactMap(\.windowSeconds)
        guard !windows.isEmpty else { return }
        let seconds = hop?.value ?? Aggregation.defaultHop(windows: windows.map(\.value))
        let hopText = hop == nil ? "the default hop \(Durations.format(seconds)) (declare 'hop' to choose another)"
            : "the hop \(Durations.format(seconds))"
        for aggregation in aggregations {
            guard let window = aggregation.windowSeconds else { continue }
            let subject = "aggregation" + (aggregation.name.map { " '\($0.value)'" } ?? "") + " of \(owner)"
            let text = Durations.format(window.value)
            if window.value % seconds != 0 {
                report(
                    .badValue,
                    "'window' of \(subject) is \(text), not a multiple of \(hopText); expected a whole number of hops",
                    at: window.location)
            } else if window.value / seconds > Aggregation.maximumTilesPerWindow {
                report(
                    .badValue,
                    "'window' of \(subject) is \(text), \(window.value / seconds) tiles of \(hopText); "
                        + "expected at most \(Aggregation.maximumTilesPerWindow) tiles per window (a longer hop)",
                    at: window.location)
            }
        }
    }
}

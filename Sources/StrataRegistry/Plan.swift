import StrataCore

/// The difference between a folder of schema files and what the registry holds.
public struct Plan: Sendable, Hashable, Encodable {
    /// What happens to one object.
    public enum Action: String, Sendable, Hashable, Encodable {
        case added, changed, removed
    }

    /// One object's change, with what changed inside it.
    public struct Change: Sendable, Hashable, Encodable {
        public var kind: ObjectKind
        public var name: String
        public var action: Action
        /// Whether readers of this object can break: a removed or retyped feature, a removed object, a changed key.
        public var breaking: Bool
        /// Human-readable lines, e.g. `ttl: 2d -> 1d` or `feature conv_rate: float64 -> float32 (breaking)`.
        public var details: [String]
        public var fromVersion: Int?
        public var toVersion: Int?
    }

    public var project: String
    public var changes: [Change]
    /// Online views whose stored values the change invalidates (`Registry.onlineViewsToReset`): applying
    /// resets their watermarks and deletes their keys from the online store.
    public var onlineResets: [String] = []

    /// Whether applying would change nothing.
    public var isEmpty: Bool { changes.isEmpty }

    /// Whether any change is breaking.
    public var hasBreakingChanges: Bool { changes.contains { $0.breaking } }

    /// The breaking changes, one line each with what breaks, e.g.
    /// `feature_view user_stats: feature clicks: int64 -> float64 (breaking)`.
    public var breakingSummary: [String] {
        changes.filter(\.breaking).map { change in
            let what = change.action == .removed ? ["removed"] : change.details.filter { $0.hasSuffix("(breaking)") }
            return "\(change.kind.rawValue) \(change.name): \(what.joined(separator: "; "))"
        }
    }

    /// The plan as text, one line per object and one indented line per detail.
    public func render() -> String {
        guard !changes.isEmpty else { return "No changes: the registry matches the schema files of project \(project)." }
        var lines: [String] = []
        for change in changes {
            let sign = switch change.action {
            case .added: "+"
            case .changed: "~"
            case .removed: "-"
            }
            let version = switch change.action {
            case .added: "v\(change.toVersion ?? 1)"
            case .changed: "v\(change.fromVersion ?? 0) -> v\(change.toVersion ?? 0)"
            case .removed: "was v\(change.fromVersion ?? 0)"
            }
            let flag = change.breaking ? "  BREAKING" : ""
            lines.append("\(sign) \(change.kind.rawValue) \(change.name) (\(version))\(flag)")
            for detail in change.details { lines.append("    \(detail)") }
        }
        for view in onlineResets {
            lines.append(
                "! online store: the values of feature view \(view) no longer match it: its watermark is reset and its keys deleted")
        }
        let counts = Dictionary(grouping: changes, by: \.action).mapValues(\.count)
        lines.append(
            "Plan for project \(project): \(counts[.added] ?? 0) to add, \(counts[.changed] ?? 0) to change, \(counts[.removed] ?? 0) to remove"
                + (hasBreakingChanges ? " (\(changes.filter(\.breaking).count) breaking)." : "."))
        return lines.joined(separator: "\n")
    }
}

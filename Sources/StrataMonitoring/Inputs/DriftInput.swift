import Foundation
import StrataColumnar

/// Where a drift check reads one window from.
public enum DriftInput: Sendable, Hashable, CustomStringConvertible {
    /// A saved training set's feature columns.
    case saved(name: String)
    /// The features' source rows with event time in `[from, to)` (microseconds, UTC).
    case window(from: Int64, to: Int64)
    /// The served-feature log of `strata serve` in `[from, to)`.
    case served(from: Int64, to: Int64)
    /// A SQL query's result.
    case query(String)
    /// A CSV file with a header line.
    case csv(path: String)

    /// Reads a command-line argument: `saved:NAME`, `window:FROM..TO`, `served:FROM..TO` (ISO-8601
    /// times), a `SELECT`/`WITH` query, or a path ending in `.csv`.
    /// - Throws: `MonitoringError.badInput` naming the argument and the accepted forms.
    public init(argument: String, role: String) throws {
        let text = argument.trimmingCharacters(in: .whitespacesAndNewlines)
        let lower = text.lowercased()
        func range(_ body: Substring) throws -> (Int64, Int64) {
            try Self.timeRange(body, argument: "--\(role) '\(text)'", example: "window:2026-01-01T00:00:00Z..2026-01-08T00:00:00Z")
        }
        if lower.hasPrefix("saved:") {
            let name = String(text.dropFirst("saved:".count))
            guard !name.isEmpty else { throw MonitoringError(.badInput, "--\(role) 'saved:': name the saved training set, e.g. saved:eta_v1") }
            self = .saved(name: name)
        } else if lower.hasPrefix("window:") {
            let (from, to) = try range(text.dropFirst("window:".count))
            self = .window(from: from, to: to)
        } else if lower.hasPrefix("served:") {
            let (from, to) = try range(text.dropFirst("served:".count))
            self = .served(from: from, to: to)
        } else if lower.hasPrefix("select") || lower.hasPrefix("with") || lower.hasPrefix("(") {
            self = .query(text)
        } else if lower.hasSuffix(".csv") {
            self = .csv(path: text)
        } else {
            throw MonitoringError(
                .badInput,
                "--\(role) '\(text)' is not an input Strata reads: expected saved:NAME, window:FROM..TO, served:FROM..TO, a SELECT query or a .csv file")
        }
    }

    /// Reads `FROM..TO` (ISO-8601 times, FROM before TO) as microseconds since the epoch.
    /// - Throws: `MonitoringError.badInput` naming `argument` (the option and its value) and showing `example`.
    public static func timeRange(_ text: some StringProtocol, argument: String, example: String) throws -> (from: Int64, to: Int64) {
        let parts = text.components(separatedBy: "..")
        guard parts.count == 2, let from = UTCTimestamp.parse(parts[0]), let to = UTCTimestamp.parse(parts[1]) else {
            throw MonitoringError(.badInput, "\(argument): expected FROM..TO with ISO-8601 times, e.g. \(example)")
        }
        guard from < to else {
            throw MonitoringError(.badInput, "\(argument): the window is empty (FROM must be before TO)")
        }
        return (from, to)
    }

    /// Whether reading needs PostgreSQL.
    public var needsPostgres: Bool {
        if case .csv = self { return false }
        return true
    }

    /// Whether the input names its own columns (so that the features may be left out).
    public var hasOwnColumns: Bool {
        switch self {
        case .query, .csv, .saved: true
        case .window, .served: false
        }
    }

    /// The input as given, for reports and history.
    public var description: String {
        switch self {
        case .saved(let name): "saved:\(name)"
        case .window(let from, let to): "window:\(UTCTimestamp.format(from))..\(UTCTimestamp.format(to))"
        case .served(let from, let to): "served:\(UTCTimestamp.format(from))..\(UTCTimestamp.format(to))"
        case .query(let sql): sql
        case .csv(let path): path
        }
    }
}

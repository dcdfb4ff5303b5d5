import StrataColumnar
import StrataOffline

/// Labels read from a CSV spine arrive as text; training needs numbers.
enum LabelColumn {
    /// `frame` with its `label` column as float64 when it was text (`true`/`false`, `1`, `0.5`, …).
    static func numeric(_ frame: Frame, label: String) throws -> Frame {
        guard let column = frame[label], column.type == .string else { return frame }
        var builder = ColumnBuilder(type: .float64, capacity: column.count)
        for row in 0..<column.count {
            guard let text = column.string(at: row) else {
                builder.appendNull()
                continue
            }
            switch text.lowercased() {
            case "true", "t", "yes": builder.append(1.0)
            case "false", "f", "no": builder.append(0.0)
            default:
                guard let value = Double(text) else {
                    throw OfflineError(.badSpine, "label \(label) of spine row \(row + 1) is '\(text)'; expected a number or true/false")
                }
                builder.append(value)
            }
        }
        let names = frame.names
        let columns = frame.columns.enumerated().map { names[$0.offset] == label ? builder.finish() : $0.element }
        return Frame(names: names, columns: columns, rowCount: frame.rowCount)
    }

    /// The one value `label` takes in every non-null row of `frame`, if it takes only one: a model trained
    /// on it predicts that value always, so its perfect accuracy means nothing.
    static func constantValue(_ frame: Frame, label: String) -> Double? {
        guard let column = frame[label], column.type != .string else { return nil }
        var seen: Double?
        for row in 0..<column.count {
            guard let value = column.double(at: row) else { continue }
            if let seen, seen != value { return nil }
            seen = value
        }
        return seen
    }
}

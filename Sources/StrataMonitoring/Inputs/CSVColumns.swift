import StrataColumnar
import StrataCore
import StrataOffline

/// Columns of a CSV file, typed as declared or, with no declaration, inferred as pandas'
/// `read_csv` infers them, so that a file gets the column kinds it would get in Evidently.
enum CSVColumns {
    /// The fields pandas reads as missing by default.
    static let missing: Set<String> = [
        "", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN", "<NA>", "N/A",
        "NA", "NULL", "NaN", "None", "n/a", "nan", "null",
    ]

    /// The text of a field, nil when pandas would read it as missing.
    private static func field(_ table: CSVTable, _ record: Int, _ column: Int) -> String? {
        guard let text = table.records[record][column] else { return nil }
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        return missing.contains(trimmed) ? nil : trimmed
    }

    /// Column `column` typed as pandas infers it: int64 when every field is an integer and none is
    /// missing; float64 when every present field is a number; bool when every present field is
    /// True/False (any case); text otherwise.
    /// - Complexity: O(rows).
    static func inferred(_ table: CSVTable, column: Int) -> Column {
        let fields = table.records.indices.map { field(table, $0, column) }
        let present = fields.compactMap { $0 }
        if !present.isEmpty && present.allSatisfy({ bool($0) != nil }) {
            return Column(bool: fields.map { $0.flatMap(bool) })
        }
        if present.count == fields.count && !present.isEmpty && present.allSatisfy({ Int64($0) != nil }) {
            return Column(int64: fields.map { $0.flatMap { Int64($0) } })
        }
        if present.allSatisfy({ number($0) != nil }) {
            return Column(float64: fields.map { $0.flatMap(number) })
        }
        return Column(string: fields)
    }

    /// Column `column` read as values of `type`.
    /// - Throws: `MonitoringError.badInput` naming the file, line, column and value that does not parse.
    static func typed(_ table: CSVTable, column: Int, as type: ValueType) throws -> Column {
        var builder = ColumnBuilder(type: ColumnType(type), capacity: table.records.count)
        for record in table.records.indices {
            guard let text = field(table, record, column) else {
                builder.appendNull()
                continue
            }
            func bad() -> MonitoringError {
                MonitoringError(
                    .badInput, "\(table.file):\(table.lines[record]): \(table.header[column]) '\(text)' is not a \(type.rawValue)")
            }
            switch type {
            case .float64:
                guard let value = number(text) else { throw bad() }
                builder.append(value)
            case .float32:
                guard let value = number(text) else { throw bad() }
                builder.append(Float(value))
            case .int64:
                guard let value = Int64(text) else { throw bad() }
                builder.append(value)
            case .int32:
                guard let value = Int32(text) else { throw bad() }
                builder.append(value)
            case .bool:
                guard let value = bool(text) ?? (text == "1" ? true : text == "0" ? false : nil) else { throw bad() }
                builder.append(value)
            case .timestamp:
                guard let value = UTCTimestamp.parse(text) else { throw bad() }
                builder.appendTimestamp(value)
            case .string:
                builder.appendString(text)
            }
        }
        return builder.finish()
    }

    /// A float as pandas' parser reads it, infinities included.
    private static func number(_ text: String) -> Double? {
        switch text.lowercased() {
        case "inf", "+inf", "infinity", "+infinity": return .infinity
        case "-inf", "-infinity": return -.infinity
        default:
            guard let first = text.unicodeScalars.first, first == "-" || first == "+" || first == "." || ("0"..."9").contains(first)
            else { return nil }
            return Double(text)
        }
    }

    private static func bool(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "true": true
        case "false": false
        default: nil
        }
    }
}

import StrataColumnar
import StrataCore
import StrataOffline

/// Columns of a CSV file, typed as declared or, with no declaration, inferred as pandas' `read_csv`
/// infers them, so that a file gets the column kinds it would get in Evidently. The file is read as
/// a stream (twice when a column's type is inferred): memory holds the typed columns, not the text.
enum CSVColumns {
    /// The fields pandas reads as missing by default.
    static let missing: Set<String> = [
        "", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN", "<NA>", "N/A",
        "NA", "NULL", "NaN", "None", "n/a", "nan", "null",
    ]

    /// The header of the file at `path`.
    static func header(_ path: String) throws -> [String] {
        try CSVReader(path: path).header
    }

    /// The columns `wanted` of the file `reader` reads, in that order: a column named in `declared` read as
    /// that type, the others typed as pandas infers them (`inferredType`).
    /// - Throws: `MonitoringError.missingColumn` for a column the file lacks, `.badInput` naming the
    ///   file, line, column and value that does not parse as its declared type.
    /// - Complexity: O(file size) time, one pass (two with inferred columns).
    static func read(_ reader: CSVReader, columns wanted: [String], declared: [String: ValueType]) throws -> [Column] {
        var reader = reader
        let positions = try wanted.map { name -> Int in
            guard let index = reader.column(name) else { throw MonitoringError(.missingColumn, "\(reader.file) has no column \(name)") }
            return index
        }
        var types = wanted.map { declared[$0] }
        let undeclared = types.indices.filter { types[$0] == nil }
        if !undeclared.isEmpty {
            var inference = undeclared.map { _ in Inference() }
            var record = CSVRecord()
            while try reader.next(&record) {
                for (k, w) in undeclared.enumerated() { inference[k].observe(field(record, positions[w])) }
            }
            for (k, w) in undeclared.enumerated() { types[w] = inference[k].type }
            reader = try reader.reopened()
        }
        var builders = types.map { ColumnBuilder(type: ColumnType($0 ?? .string)) }
        var record = CSVRecord()
        while try reader.next(&record) {
            for (w, position) in positions.enumerated() {
                try append(record, position, as: types[w] ?? .string, to: &builders[w], reader: reader)
            }
        }
        return builders.map { $0.finish() }
    }

    /// The text of a field, trimmed; nil when pandas would read it as missing.
    private static func field(_ record: CSVRecord, _ column: Int) -> String? {
        guard let text = record.string(column) else { return nil }
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        return missing.contains(trimmed) ? nil : trimmed
    }

    /// What pandas infers from a column's fields: bool when every present field is True/False (any
    /// case); int64 when every field is an integer and none is missing; float64 when every present
    /// field is a number; text otherwise.
    struct Inference {
        var anyPresent = false
        var anyMissing = false
        var allBool = true
        var allInteger = true
        var allNumber = true

        mutating func observe(_ text: String?) {
            guard let text else {
                anyMissing = true
                return
            }
            anyPresent = true
            if allBool, bool(text) == nil { allBool = false }
            if allInteger, Int64(text) == nil { allInteger = false }
            if allNumber, number(text) == nil { allNumber = false }
        }

        var type: ValueType {
            if anyPresent && allBool { return .bool }
            if anyPresent && !anyMissing && allInteger { return .int64 }
            if allNumber { return .float64 }
            return .string
        }
    }

    private static func append(
        _ record: CSVRecord, _ column: Int, as type: ValueType, to builder: inout ColumnBuilder, reader: CSVReader
    ) throws {
        guard let text = field(record, column) else {
            builder.appendNull()
            return
        }
        func bad() -> MonitoringError {
            MonitoringError(.badInput, "\(reader.file):\(record.line): \(reader.header[column]) '\(text)' is not a \(type.rawValue)")
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

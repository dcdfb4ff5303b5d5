import Foundation

/// Reads RFC 4180 CSV: a header line, then records; quoted fields may hold commas, quotes (doubled)
/// and line breaks. Each record remembers its line number for error messages.
public struct CSVTable: Sendable {
    /// The header's column names.
    public var header: [String]
    /// Each record's fields; nil marks an unquoted empty field (null), `""` an empty quoted one.
    public var records: [[String?]]
    /// The 1-based line on which each record starts.
    public var lines: [Int]
    /// The file the table came from.
    public var file: String

    /// A table from already split records (e.g. the columns of a JSON body); `file` names it in errors.
    public init(header: [String], records: [[String?]], lines: [Int], file: String) {
        self.header = header
        self.records = records
        self.lines = lines
        self.file = file
    }

    /// Reads and parses `path`.
    public static func read(path: String) throws -> CSVTable {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw OfflineError(.badSpine, "cannot read \(path): no such file or not readable")
        }
        return try parse([UInt8](data), file: path)
    }

    /// Parses CSV text; `file` names it in errors. A leading UTF-8 byte-order mark (as spreadsheets
    /// write) is skipped, so that it does not become part of the first column's name.
    public static func parse(_ bytes: [UInt8], file: String) throws -> CSVTable {
        let bytes = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(bytes.dropFirst(3)) : bytes
        var records: [[String?]] = []
        var lines: [Int] = []
        var record: [String?] = []
        var field: [UInt8] = []
        var quoted = false
        var inQuotes = false
        var line = 1
        var recordLine = 1
        var i = 0
        var atFieldStart = true
        func endField() {
            record.append(field.isEmpty && !quoted ? nil : String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
            quoted = false
            atFieldStart = true
        }
        func endRecord() {
            endField()
            if !(record.count == 1 && record[0] == nil) {
                records.append(record)
                lines.append(recordLine)
            }
            record.removeAll(keepingCapacity: true)
        }
        while i < bytes.count {
            let c = bytes[i]
            if inQuotes {
                if c == 34 {
                    if i + 1 < bytes.count && bytes[i + 1] == 34 {
                        field.append(34)
                        i += 2
                        continue
                    }
                    inQuotes = false
                } else {
                    if c == 10 { line += 1 }
                    field.append(c)
                }
                i += 1
                continue
            }
            switch c {
            case 34 where atFieldStart:
                inQuotes = true
                quoted = true
                atFieldStart = false
            case 44:
                endField()
            case 13 where i + 1 < bytes.count && bytes[i + 1] == 10:
                break
            case 10:
                endRecord()
                line += 1
                recordLine = line
            default:
                if quoted {
                    throw OfflineError(.badSpine, "\(file):\(line): unexpected character after a closing quote")
                }
                field.append(c)
                atFieldStart = false
            }
            i += 1
        }
        if inQuotes { throw OfflineError(.badSpine, "\(file):\(recordLine): a quoted field is never closed") }
        if !field.isEmpty || quoted || !record.isEmpty { endRecord() }
        guard !records.isEmpty else { throw OfflineError(.badSpine, "\(file): empty file (expected a header line)") }
        let header = records.removeFirst().map { $0 ?? "" }
        lines.removeFirst()
        for (index, record) in records.enumerated() where record.count != header.count {
            throw OfflineError(
                .badSpine, "\(file):\(lines[index]): \(record.count) fields; the header has \(header.count)")
        }
        return CSVTable(header: header, records: records, lines: lines, file: file)
    }
}

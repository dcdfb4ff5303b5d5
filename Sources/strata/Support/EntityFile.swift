import Foundation
import StrataOffline

/// Entity rows for `strata online --entities FILE`, read exactly as written: a CSV file whose header
/// names the join keys (one row per entity; `""` is an empty string), or a JSON object of Feast's
/// form, `{"driver_id": [1001, 1002], "customer_id": ["a,b", ""]}` (one array per join key).
enum EntityFile {
    /// The rows of `path` as (join key, value) pairs, in file order.
    /// - Throws: `CLIError.badInput` naming the file, and the line or key, for anything else.
    static func rows(_ path: String) throws -> [[(name: String, value: String)]] {
        let lower = path.lowercased()
        if lower.hasSuffix(".csv") { return try csvRows(path) }
        if lower.hasSuffix(".json") { return try jsonRows(path) }
        throw CLIError(.badInput, "--entities \(path): expected a .csv or .json file")
    }

    private static func csvRows(_ path: String) throws -> [[(name: String, value: String)]] {
        let reader = try CSVReader(path: path)
        var record = CSVRecord()
        var rows: [[(name: String, value: String)]] = []
        while try reader.next(&record) {
            rows.append(try reader.header.indices.map { index in
                guard let value = record.string(index) else {
                    throw CLIError(
                        .badInput,
                        "\(path):\(record.line): join key \(reader.header[index]) is empty; write \"\" for an empty string")
                }
                return (reader.header[index], value)
            })
        }
        return rows
    }

    private static func jsonRows(_ path: String) throws -> [[(name: String, value: String)]] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CLIError(.badInput, "--entities \(path): cannot read the file")
        }
        guard let object = try? JSONSerialization.jsonObject(with: data), let columns = object as? [String: Any] else {
            throw CLIError(.badInput, "\(path): expected a JSON object of arrays, {\"join_key\": [value, ...], ...}")
        }
        let keys = columns.keys.sorted()
        var values: [[String]] = []
        for key in keys {
            guard let array = columns[key] as? [Any] else {
                throw CLIError(.badInput, "\(path): join key \(key) is not an array of values")
            }
            values.append(try array.enumerated().map { index, value -> String in
                if let text = value as? String { return text }
                if let number = value as? NSNumber, let integer = Int64(number.stringValue) { return String(integer) }
                throw CLIError(.badInput, "\(path): join key \(key), value \(index + 1) is \(value); expected an integer or a string")
            })
        }
        guard let count = values.first?.count, values.allSatisfy({ $0.count == count }) else {
            throw CLIError(.badInput, "\(path): the join keys' arrays must be non-empty and of one length")
        }
        return (0..<count).map { row in keys.indices.map { (keys[$0], values[$0][row]) } }
    }
}

import Foundation

/// JSON for programs to read: snake_case keys (as Feast's), sorted, pretty-printed, UTF-8. Keys of
/// dictionaries (feature and metric names) are data and keep their spelling.
enum JSONOutput {
    static func encode<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}

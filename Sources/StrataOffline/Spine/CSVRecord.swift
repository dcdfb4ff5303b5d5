/// One record of a CSV input: its fields as bytes, with which are null. A reader fills one record
/// again and again, so that reading allocates nothing per record.
public struct CSVRecord: Sendable {
    /// The 1-based line on which the record starts.
    public internal(set) var line = 0
    /// The fields' bytes, back to back.
    private var bytes: [UInt8] = []
    /// The end of each field in `bytes`.
    private var ends: [Int] = []
    /// Whether each field is null (unquoted and empty).
    private var nulls: [Bool] = []

    /// An empty record, to be filled by `CSVReader.next`.
    public init() {}

    /// A record of already split fields (e.g. the columns of a JSON body); nil is null.
    public init(fields: [String?], line: Int) {
        self.line = line
        for field in fields {
            if let field {
                bytes.append(contentsOf: field.utf8)
                nulls.append(false)
            } else {
                nulls.append(true)
            }
            ends.append(bytes.count)
        }
    }

    /// The number of fields.
    public var count: Int { ends.count }

    /// The bytes of all fields together.
    public var byteCount: Int { bytes.count }

    /// Whether field `index` is null (an unquoted empty field).
    public func isNull(_ index: Int) -> Bool { nulls[index] }

    /// Field `index` as text; nil when null.
    public func string(_ index: Int) -> String? {
        nulls[index] ? nil : withBytes(index) { String(decoding: $0, as: UTF8.self) }
    }

    /// Calls `body` with the bytes of field `index` (empty for null), valid only inside it.
    public func withBytes<R>(_ index: Int, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let start = index == 0 ? 0 : ends[index - 1]
        return try bytes.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[start..<ends[index]])) }
    }

    /// Whether the record is a blank line: one null field.
    var isBlank: Bool { ends.count == 1 && nulls[0] }

    mutating func removeAll(line: Int) {
        self.line = line
        bytes.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
        nulls.removeAll(keepingCapacity: true)
    }

    mutating func append(_ field: UnsafeRawBufferPointer, quoted: Bool) {
        bytes.append(contentsOf: field)
        ends.append(bytes.count)
        nulls.append(field.isEmpty && !quoted)
    }
}

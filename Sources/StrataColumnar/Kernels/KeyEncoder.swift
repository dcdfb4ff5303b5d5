/// Maps join keys to dense `Int64` codes with one dictionary shared by every call, so that the
/// probe side and the build side of a join agree on codes.
///
/// A key is one column or several (a composite key, for views with several entities), given
/// as the same number of columns, of the same kinds, on every call. `int64`, `int32`,
/// `timestamp` and `bool` columns compare as integers; `string` columns compare by UTF-8 bytes.
/// A row with a null in any key column gets code -1, which never matches. Codes are
/// `0..<keyCount` in first-seen order.
public struct KeyEncoder: Sendable {
    private enum Kind: Sendable, Equatable {
        case integer, string
    }

    private var kinds: [Kind]?
    /// One dictionary per key column position; only the one matching the column's kind is used.
    private var integerDictionaries: [Int64Dictionary] = []
    private var stringDictionaries: [BytesDictionary] = []
    /// For composite keys: dictionary `j` maps (code of columns 0...j, code of column j + 1).
    private var pairDictionaries: [Int64Dictionary] = []

    /// Creates an encoder with an empty dictionary.
    public init() {}

    /// The number of distinct keys encoded so far.
    public var keyCount: Int {
        guard let kinds else { return 0 }
        if let last = pairDictionaries.last { return last.count }
        return kinds[0] == .integer ? integerDictionaries[0].count : stringDictionaries[0].count
    }

    /// The code of each row's key in `columns`, adding unseen keys to the dictionary; -1 for
    /// rows with a null key column.
    /// - Complexity: O(rows × columns) expected, plus the string bytes.
    public mutating func encode(_ columns: [Column]) -> [Int64] {
        prepare(columns)
        var codes = encodeColumn(0, columns[0], inserting: true)
        for j in 1..<columns.count {
            let next = encodeColumn(j, columns[j], inserting: true)
            codes = combine(codes, next, pair: j - 1, inserting: true)
        }
        return codes
    }

    /// The code of each row of a one-column key, adding unseen keys to the dictionary.
    /// - Complexity: O(rows) expected, plus the string bytes.
    public mutating func encode(_ column: Column) -> [Int64] { encode([column]) }

    /// The code of each row's key in `columns` without adding to the dictionary; -1 for unseen
    /// keys and for rows with a null key column.
    /// - Complexity: O(rows × columns) expected, plus the string bytes.
    public func lookup(_ columns: [Column]) -> [Int64] {
        guard kinds != nil else { return Array(repeating: -1, count: columns.first?.count ?? 0) }
        var copy = self
        copy.prepare(columns)
        var codes = copy.encodeColumn(0, columns[0], inserting: false)
        for j in 1..<columns.count {
            let next = copy.encodeColumn(j, columns[j], inserting: false)
            codes = copy.combine(codes, next, pair: j - 1, inserting: false)
        }
        return codes
    }

    /// The code of each row of a one-column key without adding to the dictionary.
    /// - Complexity: O(rows) expected, plus the string bytes.
    public func lookup(_ column: Column) -> [Int64] { lookup([column]) }

    /// Codes for both sides of a join: the build side's keys fill the dictionary and probe keys
    /// missing from it get -1, so `keyCount` only counts keys that can match.
    /// - Complexity: O((probe + build rows) × columns) expected.
    public static func encode(probe: [Column], build: [Column]) -> (probe: [Int64], build: [Int64], keyCount: Int) {
        var encoder = KeyEncoder()
        let buildCodes = encoder.encode(build)
        return (encoder.lookup(probe), buildCodes, encoder.keyCount)
    }

    /// Checks the columns against the first call's kinds, or records them on the first call.
    private mutating func prepare(_ columns: [Column]) {
        precondition(!columns.isEmpty, "A key needs at least one column")
        let rows = columns[0].count
        let kinds = columns.map { column -> Kind in
            precondition(column.count == rows, "Key columns differ in length: \(column.count) and \(rows)")
            switch column.type {
            case .int64, .int32, .timestamp, .bool: return .integer
            case .string: return .string
            case .float64, .float32: preconditionFailure("Join keys must be integers or strings, got \(column.type)")
            }
        }
        if let known = self.kinds {
            precondition(known == kinds, "Key columns are \(kinds), but the encoder was first given \(known)")
            return
        }
        self.kinds = kinds
        integerDictionaries = Array(repeating: Int64Dictionary(), count: kinds.count)
        stringDictionaries = Array(repeating: BytesDictionary(), count: kinds.count)
        pairDictionaries = Array(repeating: Int64Dictionary(), count: kinds.count - 1)
    }

    private mutating func encodeColumn(_ position: Int, _ column: Column, inserting: Bool) -> [Int64] {
        let words = column.validity?.words ?? []
        let hasNulls = column.validity != nil
        return [Int64](uninitializedCount: column.count) { codes, initialized in
            words.withUnsafeBufferPointer { w in
                let validity = hasNulls ? w : nil
                if case .string = column.storage {
                    column.withStringStorage { bytes, offsets in
                        if inserting {
                            stringDictionaries[position].encode(
                                bytes: bytes, offsets: offsets, validity: validity, into: codes)
                        } else {
                            stringDictionaries[position].lookup(
                                bytes: bytes, offsets: offsets, validity: validity, into: codes)
                        }
                    }
                } else {
                    KeyEncoder.integers(of: column).withUnsafeBufferPointer { keys in
                        if inserting {
                            integerDictionaries[position].encode(keys, validity: validity, into: codes)
                        } else {
                            integerDictionaries[position].lookup(keys, validity: validity, into: codes)
                        }
                    }
                }
            }
            initialized = column.count
        }
    }

    /// Codes of the pairs (left code, right code), -1 where either is -1.
    private mutating func combine(_ left: [Int64], _ right: [Int64], pair: Int, inserting: Bool) -> [Int64] {
        var valid = Bitmap(count: left.count, repeating: false)
        var packed = [Int64](repeating: 0, count: left.count)
        valid.withUnsafeMutableWords { words in
            for i in 0..<left.count where left[i] >= 0 && right[i] >= 0 {
                precondition(left[i] < 1 << 32 && right[i] < 1 << 32, "More than 2^32 distinct keys")
                packed[i] = left[i] << 32 | right[i]
                words[i >> 6] |= 1 << UInt64(i & 63)
            }
        }
        return [Int64](uninitializedCount: left.count) { codes, initialized in
            valid.words.withUnsafeBufferPointer { w in
                packed.withUnsafeBufferPointer { keys in
                    if inserting {
                        pairDictionaries[pair].encode(keys, validity: w, into: codes)
                    } else {
                        pairDictionaries[pair].lookup(keys, validity: w, into: codes)
                    }
                }
            }
            initialized = left.count
        }
    }

    private static func integers(of column: Column) -> [Int64] {
        switch column.storage {
        case .int64(let v), .timestamp(let v): v
        case .int32(let v): v.map(Int64.init)
        case .bool(let v): v.map { $0 ? 1 : 0 }
        case .float64, .float32, .string: preconditionFailure("Not an integer key column: \(column.type)")
        }
    }
}

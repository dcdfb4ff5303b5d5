import StrataColumnar
import StrataCore
import StrataOnline

/// An independent reading of one online record after docs/online-layout.md, written apart from the
/// lookup's decoder so that the record fuzz target can compare the two on every input.
struct RecordReference {
    /// One feature's value, floating-point values by bit pattern so that NaNs compare.
    enum Value: Equatable {
        case bits64(UInt64)
        case bits32(UInt32)
        case bool(Bool)
        case bytes([UInt8])
    }

    /// The header's event timestamp.
    var event: Int64
    /// The view's features in order; nil for null.
    var values: [Value?]

    /// What a lookup makes of a record's header: absent (too short, another format or schema tag),
    /// or its event time.
    static func event(of record: [UInt8], tag: UInt16) -> Int64? {
        guard record.count >= 19, record[0] == 1, UInt16(record[17]) | UInt16(record[18]) << 8 == tag else { return nil }
        return Int64(bitPattern: little(record, at: 1, count: 8))
    }

    /// The record's values for features of `types`, or nil when it is truncated or malformed.
    static func read(_ record: [UInt8], event: Int64, types: [ValueType]) -> RecordReference? {
        var at = 19 + (types.count + 7) / 8
        guard record.count >= at else { return nil }
        var values: [Value?] = []
        for (index, type) in types.enumerated() {
            if record[19 + index / 8] >> (index % 8) & 1 == 1 {
                values.append(nil)
                continue
            }
            let width: Int
            switch type {
            case .float64, .int64, .timestamp: width = 8
            case .float32, .int32: width = 4
            case .bool: width = 1
            case .string:
                // LEB128: at most 9 groups of 7 bits describe any length that fits an Int.
                var length: UInt64 = 0
                var shift: UInt64 = 0
                while true {
                    guard at < record.count, shift <= 63 else { return nil }
                    let byte = record[at]
                    at += 1
                    length |= UInt64(byte & 0x7F) << shift
                    if byte < 0x80 { break }
                    shift += 7
                }
                guard length <= UInt64(record.count - at) else { return nil }
                values.append(.bytes(Array(record[at..<at + Int(length)])))
                at += Int(length)
                continue
            }
            guard record.count - at >= width else { return nil }
            switch width {
            case 8: values.append(.bits64(little(record, at: at, count: 8)))
            case 4: values.append(.bits32(UInt32(little(record, at: at, count: 4))))
            default: values.append(.bool(record[at] != 0))
            }
            at += width
        }
        return RecordReference(event: event, values: values)
    }

    /// The looked-up value of row `row` of `column`, in the reference's terms.
    static func value(_ column: Column, _ row: Int) -> Value? {
        if column.isNull(row) { return nil }
        switch column.storage {
        case .float64(let v): return .bits64(v[row].bitPattern)
        case .int64(let v), .timestamp(let v): return .bits64(UInt64(bitPattern: v[row]))
        case .float32(let v): return .bits32(v[row].bitPattern)
        case .int32(let v): return .bits32(UInt32(bitPattern: v[row]))
        case .bool(let v): return .bool(v[row])
        case .string: return column.stringBytes(at: row).map { .bytes(Array($0)) }
        }
    }

    static func little(_ bytes: [UInt8], at: Int, count: Int) -> UInt64 {
        (0..<count).reduce(0) { $0 | UInt64(bytes[at + $1]) << (8 * UInt64($1)) }
    }
}

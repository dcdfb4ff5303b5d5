import StrataColumnar
import StrataCore

/// The binary record of one entity's values of one view (docs/online-layout.md):
///
/// ```
/// u8  format version (1)
/// i64 event timestamp, µs since the Unix epoch, little-endian
/// i64 created timestamp, µs (Int64.min when the source has none), little-endian
/// u16 schema tag of the view's features and join keys (OnlineLayout.schemaTag), little-endian
/// ⌈n/8⌉ bytes null bitmap: bit i%8 of byte i/8 set when feature i is null
/// the non-null values in the view's feature order: float64/int64/timestamp 8 bytes, float32/int32
/// 4 bytes, bool 1 byte, all little-endian; string a LEB128 byte length then UTF-8 bytes
/// ```
public enum OnlineRecord {
    /// Bytes before the null bitmap.
    public static let headerSize = 19
    /// The created timestamp recorded when the source has no created column.
    public static let noCreated = Int64.min

    /// Records of many rows, back to back.
    struct Batch {
        var bytes: [UInt8]
        /// `count + 1` offsets into `bytes`.
        var offsets: [Int]
    }

    /// Encodes rows `0..<count` of `features` (columns typed as the view's features) column by column,
    /// each column in one pass over its contiguous storage.
    /// - Complexity: O(rows × features).
    static func encode(features: [Column], tag: UInt16, event: [Int64], created: [Int64]?) -> Batch {
        let count = event.count
        let bitmapSize = (features.count + 7) / 8
        let fixed = headerSize + bitmapSize
        var offsets = [Int](repeating: fixed, count: count + 1)
        offsets.withUnsafeMutableBufferPointer { sizes in
            for column in features {
                let words = column.validity?.words
                func isNull(_ row: Int) -> Bool {
                    guard let words else { return false }
                    return words[row >> 6] & (1 << UInt64(row & 63)) == 0
                }
                if case .string(_, let stringOffsets) = column.storage {
                    stringOffsets.withUnsafeBufferPointer { o in
                        for row in 0..<count where !isNull(row) {
                            let length = o[row + 1] - o[row]
                            sizes[row] += length + varintSize(UInt64(length))
                        }
                    }
                } else {
                    let width = fixedWidth(column.type)
                    for row in 0..<count where !isNull(row) { sizes[row] += width }
                }
            }
            var total = 0
            for row in 0..<count {
                let size = sizes[row]
                sizes[row] = total
                total += size
            }
            sizes[count] = total
        }
        var bytes = [UInt8](repeating: 0, count: offsets[count])
        bytes.withUnsafeMutableBytes { out in
            offsets.withUnsafeBufferPointer { starts in
                var cursors = [Int](repeating: 0, count: count)
                event.withUnsafeBufferPointer { events in
                    for row in 0..<count {
                        let at = starts[row]
                        out[at] = OnlineLayout.formatVersion
                        out.storeBytes(of: events[row].littleEndian, toByteOffset: at + 1, as: Int64.self)
                        out.storeBytes(of: (created?[row] ?? noCreated).littleEndian, toByteOffset: at + 9, as: Int64.self)
                        out.storeBytes(of: tag.littleEndian, toByteOffset: at + 17, as: UInt16.self)
                        cursors[row] = at + fixed
                    }
                }
                cursors.withUnsafeMutableBufferPointer { cursor in
                    for (index, column) in features.enumerated() {
                        encodeColumn(column, index: index, count: count, starts: starts, cursor: cursor, out: out)
                    }
                }
            }
        }
        return Batch(bytes: bytes, offsets: offsets)
    }

    private static func encodeColumn(
        _ column: Column, index: Int, count: Int, starts: UnsafeBufferPointer<Int>,
        cursor: UnsafeMutableBufferPointer<Int>, out: UnsafeMutableRawBufferPointer
    ) {
        let words = column.validity?.words
        let bitByte = headerSize + index / 8
        let bit = UInt8(1) << UInt8(index % 8)
        @inline(__always) func valid(_ row: Int) -> Bool {
            guard let words else { return true }
            if words[row >> 6] & (1 << UInt64(row & 63)) != 0 { return true }
            out[starts[row] + bitByte] |= bit
            return false
        }
        func fixed<T>(_ values: [T], _ store: (T, Int) -> Void, width: Int) {
            values.withUnsafeBufferPointer { v in
                for row in 0..<count where valid(row) {
                    store(v[row], cursor[row])
                    cursor[row] += width
                }
            }
        }
        switch column.storage {
        case .float64(let values):
            fixed(values, { out.storeBytes(of: $0.bitPattern.littleEndian, toByteOffset: $1, as: UInt64.self) }, width: 8)
        case .int64(let values), .timestamp(let values):
            fixed(values, { out.storeBytes(of: $0.littleEndian, toByteOffset: $1, as: Int64.self) }, width: 8)
        case .float32(let values):
            fixed(values, { out.storeBytes(of: $0.bitPattern.littleEndian, toByteOffset: $1, as: UInt32.self) }, width: 4)
        case .int32(let values):
            fixed(values, { out.storeBytes(of: $0.littleEndian, toByteOffset: $1, as: Int32.self) }, width: 4)
        case .bool(let values):
            fixed(values, { out[$1] = $0 ? 1 : 0 }, width: 1)
        case .string(let data, let offsets):
            data.withUnsafeBytes { source in
                offsets.withUnsafeBufferPointer { o in
                    for row in 0..<count where valid(row) {
                        let start = o[row], length = o[row + 1] - o[row]
                        var at = cursor[row]
                        var v = UInt64(length)
                        while v >= 0x80 {
                            out[at] = UInt8(truncatingIfNeeded: v) | 0x80
                            v >>= 7
                            at += 1
                        }
                        out[at] = UInt8(v)
                        at += 1
                        if length > 0 {
                            (out.baseAddress! + at).copyMemory(from: source.baseAddress! + start, byteCount: length)
                        }
                        cursor[row] = at + length
                    }
                }
            }
        }
    }

    static func fixedWidth(_ type: ColumnType) -> Int {
        switch type {
        case .float64, .int64, .timestamp: 8
        case .float32, .int32: 4
        case .bool: 1
        case .string: 0
        }
    }

    static func varintSize(_ value: UInt64) -> Int {
        var size = 1
        var v = value >> 7
        while v != 0 {
            size += 1
            v >>= 7
        }
        return size
    }

    /// The event timestamp, created timestamp and schema tag of a record, or nil when it is too short
    /// or of another format version.
    @inlinable
    public static func header(_ record: UnsafeRawBufferPointer) -> (event: Int64, created: Int64, tag: UInt16)? {
        guard record.count >= headerSize, record[0] == OnlineLayout.formatVersion else { return nil }
        return (
            Int64(littleEndian: record.loadUnaligned(fromByteOffset: 1, as: Int64.self)),
            Int64(littleEndian: record.loadUnaligned(fromByteOffset: 9, as: Int64.self)),
            UInt16(littleEndian: record.loadUnaligned(fromByteOffset: 17, as: UInt16.self))
        )
    }
}

import StrataColumnar
import StrataCore

/// Where and how the online store keeps a view's values in Redis (docs/online-layout.md is the contract
/// for other clients).
///
/// Entities are spread over `bucketCount` Redis hashes per view; each hash maps an entity's key bytes to
/// one binary record (`OnlineRecord`). Small hashes use Redis's listpack encoding, which costs a few bytes
/// per entry instead of the ~70 bytes of a top-level key, so memory per value stays near the record size.
/// The bucket depends on the entity key alone and is the key's hash tag, so in Redis Cluster all views
/// of one entity live in one slot.
public enum OnlineLayout {
    /// The record format written by this version (the first byte of every record).
    public static let formatVersion: UInt8 = 1
    /// Bits of the entity hash that choose the bucket: 65,536 hashes per view.
    public static let bucketBits = 16
    /// The number of hashes per view.
    public static let bucketCount = 1 << bucketBits

    /// `s:<project>:<view>:`, the start of every key of a view.
    public static func keyPrefix(project: String, view: String) -> [UInt8] {
        Array("s:\(project):\(view):".utf8)
    }

    /// The SCAN pattern matching every key of a view. Project and view names are identifiers
    /// (letters, digits, `_`), so they hold no glob characters.
    public static func keyPattern(project: String, view: String) -> String {
        "s:\(project):\(view):{*}"
    }

    /// The bucket of an entity key: the top `bucketBits` bits of splitmix64's finalizer applied to
    /// FNV-1a-64 of the key bytes.
    @inlinable
    public static func bucket(of entityKey: UnsafeRawBufferPointer) -> Int {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in entityKey {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01B3
        }
        hash = (hash ^ (hash >> 30)) &* 0xBF58_476D_1CE4_E5B9
        hash = (hash ^ (hash >> 27)) &* 0x94D0_49BB_1331_11EB
        hash ^= hash >> 31
        return Int(truncatingIfNeeded: hash >> UInt64(64 - bucketBits))
    }

    /// Appends `prefix` and the bucket's hash tag, `{xxxx}` (lower-case hex), to `bytes`.
    @inlinable
    public static func appendKey(prefix: [UInt8], bucket: Int, to bytes: inout [UInt8]) {
        bytes.append(contentsOf: prefix)
        withUnsafeBytes(of: hashTag(bucket: bucket)) { bytes.append(contentsOf: $0.prefix(hashTagSize)) }
    }

    /// The length of the hash tag `{xxxx}` that ends every key.
    public static let hashTagSize = 2 + bucketBits / 4

    /// The bucket's hash tag, `{xxxx}` (lower-case hex), as the first `hashTagSize` bytes of the
    /// value's little-endian representation, so that a key can be written without an array.
    @inlinable
    public static func hashTag(bucket: Int) -> UInt64 {
        var tag = UInt64(UInt8(ascii: "{"))
        var shift = bucketBits - 4
        var position: UInt64 = 8
        while shift >= 0 {
            let digit = UInt8((bucket >> shift) & 0xF)
            tag |= UInt64(digit < 10 ? UInt8(ascii: "0") + digit : UInt8(ascii: "a") + digit - 10) << position
            position += 8
            shift -= 4
        }
        return (tag | UInt64(UInt8(ascii: "}")) << position).littleEndian
    }

    /// A 16-bit fingerprint of a view's stored layout: its feature names and types in order, then its
    /// join keys' names and types in the view's entity order. Every record carries it, so that a record
    /// written before the view's features or keys changed is never read with the new layout (`apply`
    /// commits such a change before it deletes the old records).
    public static func schemaTag(of features: [Feature], entities: [Entity]) -> UInt16 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        func add(_ text: String) {
            for byte in text.utf8 {
                hash ^= UInt64(byte)
                hash &*= 0x0000_0100_0000_01B3
            }
        }
        for feature in features { add("\(feature.name):\(feature.type.rawValue)\n") }
        for entity in entities { add("@\(entity.joinKey):\(entity.type.rawValue)\n") }
        return UInt16(truncatingIfNeeded: hash ^ (hash >> 16) ^ (hash >> 32) ^ (hash >> 48))
    }

    /// Appends the entity-key bytes of row `row`: per join key in the view's entity order, an int64 as
    /// 8 bytes little-endian, a string as a LEB128 length and its UTF-8 bytes.
    static func appendEntityKey(_ columns: [Column], row: Int, to bytes: inout [UInt8]) {
        for column in columns {
            switch column.storage {
            case .int64(let values): bytes.appendLittleEndian(UInt64(bitPattern: values[row]))
            case .string(let data, let offsets):
                let start = offsets[row], end = offsets[row + 1]
                bytes.appendVarint(UInt64(end - start))
                bytes.append(contentsOf: data[start..<end])
            default: preconditionFailure("join keys are int64 or string columns")
            }
        }
    }
}

extension Array where Element == UInt8 {
    @inlinable
    mutating func appendLittleEndian(_ value: UInt64) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }

    @inlinable
    mutating func appendVarint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        append(UInt8(v))
    }
}

/// Redis Cluster's key space: 16,384 hash slots, a key's slot being CRC16 (XMODEM) of its hash tag
/// modulo 16,384 (the Redis Cluster specification's `HASH_SLOT`).
public enum RedisClusterSlot {
    /// The number of hash slots.
    public static let count = 16_384

    /// The slot of `key`: CRC16 of the key's hash tag when it has one (the bytes between the first `{` and
    /// the first `}` after it, if there are any), else of the whole key, modulo 16,384.
    /// - Complexity: O(n) in the key's length.
    @inlinable
    public static func slot(ofKey key: UnsafeRawBufferPointer) -> Int {
        Int(crc16(hashedPart(of: key)) & 0x3FFF)
    }

    /// The slot of a UTF-8 key.
    public static func slot(ofKey key: String) -> Int {
        var key = key
        return key.withUTF8 { slot(ofKey: UnsafeRawBufferPointer($0)) }
    }

    /// The part of `key` that decides its slot: the hash tag, or the whole key when it has no non-empty tag.
    @inlinable
    public static func hashedPart(of key: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        guard let open = key.firstIndex(of: UInt8(ascii: "{")) else { return key }
        let rest = key[(open + 1)...]
        guard let close = rest.firstIndex(of: UInt8(ascii: "}")), close > open + 1 else { return key }
        return UnsafeRawBufferPointer(rebasing: key[(open + 1)..<close])
    }

    /// CRC16-CCITT in its XMODEM form (polynomial 0x1021, initial value 0, no reflection), as Redis computes it.
    /// - Complexity: O(n).
    @inlinable
    public static func crc16(_ bytes: UnsafeRawBufferPointer) -> UInt16 {
        var crc: UInt16 = 0
        table.withUnsafeBufferPointer { table in
            for byte in bytes {
                crc = (crc << 8) ^ table[Int(UInt8(truncatingIfNeeded: crc >> 8) ^ byte)]
            }
        }
        return crc
    }

    /// The CRC16 of every byte value, so that the checksum costs one lookup per byte.
    @usableFromInline
    static let table: [UInt16] = (0..<256).map { value in
        var crc = UInt16(value) << 8
        for _ in 0..<8 { crc = crc & 0x8000 != 0 ? (crc << 1) ^ 0x1021 : crc << 1 }
        return crc
    }
}

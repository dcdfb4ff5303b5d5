import Crypto

/// SHA-256 (FIPS 180-4) for content hashes of registered objects, spines and tokens, computed by
/// swift-crypto: a well-kept implementation rather than one of Strata's own.
public enum SHA256 {
    /// The size of a digest in bytes.
    public static let digestSize = Crypto.SHA256.byteCount

    /// The 32-byte digest of `bytes`.
    ///
    /// - Complexity: O(n) in the length of `bytes`.
    public static func digest(_ bytes: [UInt8]) -> [UInt8] {
        Array(Crypto.SHA256.hash(data: bytes))
    }

    /// The digest of `bytes` as 64 lowercase hexadecimal digits.
    public static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(digestSize * 2)
        for byte in digest(bytes) {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// The digest of the UTF-8 encoding of `string` as 64 lowercase hexadecimal digits.
    public static func hex(_ string: String) -> String {
        hex(Array(string.utf8))
    }
}

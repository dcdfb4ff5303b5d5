/// A validity bitmap: one bit per row, set when the row holds a value, packed into `UInt64` words.
///
/// Bit `i % 64` of word `i / 64` is row `i`. Bits past `count` are always zero, so two bitmaps
/// with the same bits compare equal word for word.
public struct Bitmap: Sendable, Hashable {
    /// The packed words, `(count + 63) / 64` of them.
    public private(set) var words: [UInt64]
    /// The number of bits.
    public private(set) var count: Int

    /// Creates an empty bitmap.
    public init() {
        words = []
        count = 0
    }

    /// Creates a bitmap of `count` bits, each equal to `value`.
    public init(count: Int, repeating value: Bool) {
        precondition(count >= 0, "Bitmap count must not be negative, got \(count)")
        words = Array(repeating: value ? ~0 : 0, count: Bitmap.wordCount(for: count))
        self.count = count
        clearTail()
    }

    /// Creates a bitmap from booleans, `true` meaning set.
    public init(_ bits: [Bool]) {
        self.init(count: bits.count, repeating: false)
        words.withUnsafeMutableBufferPointer { w in
            for (i, bit) in bits.enumerated() where bit {
                w[i >> 6] |= 1 << UInt64(i & 63)
            }
        }
    }

    /// Creates a bitmap from packed words; bits past `count` are cleared.
    public init(words: [UInt64], count: Int) {
        precondition(
            count >= 0 && words.count == Bitmap.wordCount(for: count),
            "Bitmap of \(count) bits needs \(Bitmap.wordCount(for: count)) words, got \(words.count)")
        self.words = words
        self.count = count
        clearTail()
    }

    /// The number of words needed for `bitCount` bits.
    @inlinable
    public static func wordCount(for bitCount: Int) -> Int { (bitCount + 63) >> 6 }

    /// The bit at `index`.
    public subscript(index: Int) -> Bool {
        @inlinable get {
            precondition(index >= 0 && index < count, "Bitmap index \(index) out of range 0..<\(count)")
            return words[index >> 6] & (1 << UInt64(index & 63)) != 0
        }
        set {
            precondition(index >= 0 && index < count, "Bitmap index \(index) out of range 0..<\(count)")
            let mask: UInt64 = 1 << UInt64(index & 63)
            if newValue { words[index >> 6] |= mask } else { words[index >> 6] &= ~mask }
        }
    }

    /// Appends one bit.
    /// - Complexity: amortised O(1).
    public mutating func append(_ bit: Bool) {
        let shift = UInt64(count & 63)
        if shift == 0 { words.append(0) }
        if bit { words[words.count - 1] |= 1 << shift }
        count += 1
    }

    /// Appends `n` copies of `bit`.
    /// - Complexity: O(n / 64) amortised.
    public mutating func append(repeating bit: Bool, count n: Int) {
        precondition(n >= 0)
        let newCount = count + n
        if bit {
            // Fill the partial last word, then whole words; `clearTail` trims the excess.
            if count & 63 != 0 { words[words.count - 1] |= ~0 << UInt64(count & 63) }
            words.append(contentsOf: repeatElement(~0, count: Bitmap.wordCount(for: newCount) - words.count))
        } else {
            words.append(contentsOf: repeatElement(0, count: Bitmap.wordCount(for: newCount) - words.count))
        }
        count = newCount
        clearTail()
    }

    /// Reserves room for `bitCount` bits in total.
    public mutating func reserveCapacity(_ bitCount: Int) {
        words.reserveCapacity(Bitmap.wordCount(for: bitCount))
    }

    /// The number of set bits.
    /// - Complexity: O(count / 64).
    public var setCount: Int {
        words.withUnsafeBufferPointer { w in
            var total = 0
            for word in w { total &+= word.nonzeroBitCount }
            return total
        }
    }

    /// Whether every bit is set (true for an empty bitmap).
    /// - Complexity: O(count / 64).
    public var isAllSet: Bool { setCount == count }

    /// The bitwise AND of two bitmaps of equal length.
    /// - Complexity: O(count / 64).
    public static func & (lhs: Bitmap, rhs: Bitmap) -> Bitmap {
        precondition(lhs.count == rhs.count, "Bitmap lengths differ: \(lhs.count) and \(rhs.count)")
        var result = lhs
        result.words.withUnsafeMutableBufferPointer { r in
            rhs.words.withUnsafeBufferPointer { b in
                for i in r.indices { r[i] &= b[i] }
            }
        }
        return result
    }

    /// Calls `body` with the words for writing; the caller keeps bits past `count` zero.
    mutating func withUnsafeMutableWords<R>(_ body: (UnsafeMutableBufferPointer<UInt64>) throws -> R) rethrows -> R {
        try words.withUnsafeMutableBufferPointer { try body($0) }
    }

    private mutating func clearTail() {
        let rest = count & 63
        if rest != 0 { words[words.count - 1] &= (1 << UInt64(rest)) &- 1 }
    }
}

/// An open-addressing hash map from `Int64` keys to dense codes 0, 1, 2, … in first-seen order.
struct Int64Dictionary: Sendable {
    private struct Slot {
        var key: Int64
        /// -1 marks an empty slot.
        var code: Int64
    }

    /// Rows processed per capacity check; the table never holds more than half its slots.
    private static let block = 4096

    private var slots: [Slot]
    private var shift: UInt64
    /// The number of distinct keys.
    private(set) var count = 0

    init() {
        slots = Array(repeating: Slot(key: 0, code: -1), count: 16)
        shift = 64 - 4
    }

    /// Writes the code of each key to `codes`, adding unseen keys; rows whose validity bit is
    /// clear get -1.
    /// - Complexity: O(n) expected.
    mutating func encode(
        _ keys: UnsafeBufferPointer<Int64>, validity: UnsafeBufferPointer<UInt64>?,
        into codes: UnsafeMutableBufferPointer<Int64>
    ) {
        precondition(codes.count == keys.count)
        var start = 0
        while start < keys.count {
            let end = Swift.min(start + Int64Dictionary.block, keys.count)
            reserve(count + end - start)
            var next = Int64(count)
            let shift = self.shift
            slots.withUnsafeMutableBufferPointer { table in
                let mask = table.count - 1
                for i in start..<end {
                    if let validity, (validity[i >> 6] >> UInt64(i & 63)) & 1 == 0 {
                        codes[i] = -1
                        continue
                    }
                    let key = keys[i]
                    var s = Int(truncatingIfNeeded: Int64Dictionary.hash(key) >> shift)
                    while true {
                        let slot = table[s]
                        if slot.code < 0 {
                            table[s] = Slot(key: key, code: next)
                            codes[i] = next
                            next += 1
                            break
                        }
                        if slot.key == key {
                            codes[i] = slot.code
                            break
                        }
                        s = (s + 1) & mask
                    }
                }
            }
            count = Int(next)
            start = end
        }
    }

    /// Writes the code of each key to `codes`, -1 for unseen keys and for rows whose validity bit
    /// is clear.
    /// - Complexity: O(n) expected.
    func lookup(
        _ keys: UnsafeBufferPointer<Int64>, validity: UnsafeBufferPointer<UInt64>?,
        into codes: UnsafeMutableBufferPointer<Int64>
    ) {
        precondition(codes.count == keys.count)
        let shift = self.shift
        slots.withUnsafeBufferPointer { table in
            let mask = table.count - 1
            for i in 0..<keys.count {
                if let validity, (validity[i >> 6] >> UInt64(i & 63)) & 1 == 0 {
                    codes[i] = -1
                    continue
                }
                let key = keys[i]
                var s = Int(truncatingIfNeeded: Int64Dictionary.hash(key) >> shift)
                while true {
                    let slot = table[s]
                    if slot.code < 0 || slot.key == key {
                        codes[i] = slot.code
                        break
                    }
                    s = (s + 1) & mask
                }
            }
        }
    }

    /// Grows the table so that `keyCount` keys fill at most half of it.
    private mutating func reserve(_ keyCount: Int) {
        guard keyCount * 2 > slots.count else { return }
        var capacity = slots.count
        while keyCount * 2 > capacity { capacity *= 2 }
        let old = slots
        slots = Array(repeating: Slot(key: 0, code: -1), count: capacity)
        shift = UInt64(64 - capacity.trailingZeroBitCount)
        let shift = self.shift
        slots.withUnsafeMutableBufferPointer { table in
            let mask = capacity - 1
            for slot in old where slot.code >= 0 {
                var s = Int(truncatingIfNeeded: Int64Dictionary.hash(slot.key) >> shift)
                while table[s].code >= 0 { s = (s + 1) & mask }
                table[s] = slot
            }
        }
    }

    /// A hash whose every bit depends on every key bit, as the high bits pick the slot.
    @inline(__always)
    static func hash(_ key: Int64) -> UInt64 { mix(UInt64(bitPattern: key)) }

    /// MurmurHash3's 64-bit finaliser.
    @inline(__always)
    static func mix(_ value: UInt64) -> UInt64 {
        var x = value
        x ^= x >> 33
        x &*= 0xff51_afd7_ed55_8ccd
        x ^= x >> 33
        x &*= 0xc4ce_b9fe_1a85_ec53
        x ^= x >> 33
        return x
    }
}

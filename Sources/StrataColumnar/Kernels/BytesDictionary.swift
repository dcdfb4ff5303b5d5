/// An open-addressing hash map from byte strings to dense codes 0, 1, 2, … in first-seen order.
struct BytesDictionary: Sendable {
    private struct Slot {
        var hash: UInt64
        /// -1 marks an empty slot.
        var code: Int64
    }

    /// Rows processed per capacity check; the table never holds more than half its slots.
    private static let block = 4096

    private var slots: [Slot]
    private var shift: UInt64
    /// The bytes of every distinct key, back to back.
    private var arena: [UInt8] = []
    /// `count + 1` offsets into `arena`.
    private var arenaOffsets: [Int] = [0]
    /// The hash of every distinct key, for rehashing.
    private var hashes: [UInt64] = []

    /// The number of distinct keys.
    var count: Int { hashes.count }

    init() {
        slots = Array(repeating: Slot(hash: 0, code: -1), count: 16)
        shift = 64 - 4
    }

    /// Writes the code of each string (Arrow layout: `bytes`, `offsets`) to `codes`, adding unseen
    /// strings; rows whose validity bit is clear get -1.
    /// - Complexity: O(n + bytes) expected.
    mutating func encode(
        bytes: UnsafeBufferPointer<UInt8>, offsets: UnsafeBufferPointer<Int>,
        validity: UnsafeBufferPointer<UInt64>?, into codes: UnsafeMutableBufferPointer<Int64>
    ) {
        let n = offsets.count - 1
        precondition(codes.count == n)
        var start = 0
        while start < n {
            let end = Swift.min(start + BytesDictionary.block, n)
            reserve(count + end - start)
            let shift = self.shift
            // Moved out of `self` so that the loop may read the arena through `self`.
            var owned = slots
            slots = []
            owned.withUnsafeMutableBufferPointer { table in
                let mask = table.count - 1
                for i in start..<end {
                    if let validity, (validity[i >> 6] >> UInt64(i & 63)) & 1 == 0 {
                        codes[i] = -1
                        continue
                    }
                    let key = UnsafeBufferPointer(rebasing: bytes[offsets[i]..<offsets[i + 1]])
                    let h = BytesDictionary.hash(key)
                    var s = Int(truncatingIfNeeded: h >> shift)
                    while true {
                        let slot = table[s]
                        if slot.code < 0 {
                            let code = Int64(hashes.count)
                            table[s] = Slot(hash: h, code: code)
                            arena.append(contentsOf: key)
                            arenaOffsets.append(arena.count)
                            hashes.append(h)
                            codes[i] = code
                            break
                        }
                        if slot.hash == h && storedKey(slot.code, equals: key) {
                            codes[i] = slot.code
                            break
                        }
                        s = (s + 1) & mask
                    }
                }
            }
            slots = owned
            start = end
        }
    }

    /// Writes the code of each string to `codes`, -1 for unseen strings and for rows whose
    /// validity bit is clear.
    /// - Complexity: O(n + bytes) expected.
    func lookup(
        bytes: UnsafeBufferPointer<UInt8>, offsets: UnsafeBufferPointer<Int>,
        validity: UnsafeBufferPointer<UInt64>?, into codes: UnsafeMutableBufferPointer<Int64>
    ) {
        let n = offsets.count - 1
        precondition(codes.count == n)
        let shift = self.shift
        slots.withUnsafeBufferPointer { table in
            let mask = table.count - 1
            for i in 0..<n {
                if let validity, (validity[i >> 6] >> UInt64(i & 63)) & 1 == 0 {
                    codes[i] = -1
                    continue
                }
                let key = UnsafeBufferPointer(rebasing: bytes[offsets[i]..<offsets[i + 1]])
                let h = BytesDictionary.hash(key)
                var s = Int(truncatingIfNeeded: h >> shift)
                while true {
                    let slot = table[s]
                    if slot.code < 0 || (slot.hash == h && storedKey(slot.code, equals: key)) {
                        codes[i] = slot.code
                        break
                    }
                    s = (s + 1) & mask
                }
            }
        }
    }

    @inline(__always)
    private func storedKey(_ code: Int64, equals key: UnsafeBufferPointer<UInt8>) -> Bool {
        let start = arenaOffsets[Int(code)]
        let length = arenaOffsets[Int(code) + 1] - start
        guard length == key.count else { return false }
        return arena.withUnsafeBufferPointer { stored in
            for k in 0..<length where stored[start + k] != key[k] { return false }
            return true
        }
    }

    /// Grows the table so that `keyCount` keys fill at most half of it.
    private mutating func reserve(_ keyCount: Int) {
        guard keyCount * 2 > slots.count else { return }
        var capacity = slots.count
        while keyCount * 2 > capacity { capacity *= 2 }
        slots = Array(repeating: Slot(hash: 0, code: -1), count: capacity)
        shift = UInt64(64 - capacity.trailingZeroBitCount)
        let shift = self.shift
        slots.withUnsafeMutableBufferPointer { table in
            let mask = capacity - 1
            for (code, h) in hashes.enumerated() {
                var s = Int(truncatingIfNeeded: h >> shift)
                while table[s].code >= 0 { s = (s + 1) & mask }
                table[s] = Slot(hash: h, code: Int64(code))
            }
        }
    }

    /// A 64-bit hash of a byte string, eight bytes at a time, finished with MurmurHash3's mixer.
    @inline(__always)
    static func hash(_ key: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h: UInt64 = 0x9e37_79b9_7f4a_7c15 ^ UInt64(key.count)
        let n = key.count
        var i = 0
        if let base = key.baseAddress {
            let raw = UnsafeRawPointer(base)
            while i + 8 <= n {
                h = (h ^ raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xff51_afd7_ed55_8ccd
                h ^= h >> 29
                i += 8
            }
            var tail: UInt64 = 0
            var shift: UInt64 = 0
            while i < n {
                tail |= UInt64(base[i]) << shift
                shift += 8
                i += 1
            }
            h = (h ^ tail) &* 0xc4ce_b9fe_1a85_ec53
        }
        return Int64Dictionary.mix(h)
    }
}

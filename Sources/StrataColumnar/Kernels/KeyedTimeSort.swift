/// One row of an as-of join side, packed so that sorting moves 24 bytes and no pointers.
struct TimedRow {
    var time: Int64
    /// The created timestamp; 0 when `hasCreated` is false.
    var created: Int64
    /// The row's position in its input.
    var index: UInt32
    var hasCreated: Bool
}

/// Rows bucketed by dense key code, each bucket sorted by (time, created, input order).
enum KeyedTimeSort {
    /// The order within a bucket: time, then created with null lowest, then input position.
    @inline(__always)
    static func less(_ a: TimedRow, _ b: TimedRow) -> Bool {
        if a.time != b.time { return a.time < b.time }
        if a.hasCreated != b.hasCreated { return b.hasCreated }
        if a.created != b.created { return a.created < b.created }
        return a.index < b.index
    }

    /// Whether two rows are equal in time and created time (null equal to null).
    @inline(__always)
    static func tied(_ a: TimedRow, _ b: TimedRow) -> Bool {
        a.time == b.time && a.hasCreated == b.hasCreated && a.created == b.created
    }

    /// Buckets the rows by key with a stable counting sort, leaving out rows whose key is
    /// outside `0..<keyCount` or whose time is null. Bucket `k` is `rows[starts[k]..<starts[k + 1]]`.
    ///
    /// Large inputs are cut into chunks that are counted and scattered on all cores, each chunk
    /// writing after the rows of the same key from earlier chunks, so the result stays stable.
    /// - Complexity: O(n + keyCount × chunks).
    static func bucket(
        keys: UnsafeBufferPointer<Int64>, keyCount: Int,
        times: UnsafeBufferPointer<Int64>, timeValidity: UnsafeBufferPointer<UInt64>?,
        created: UnsafeBufferPointer<Int64>?, createdValidity: UnsafeBufferPointer<UInt64>?
    ) -> (starts: [Int], rows: [TimedRow]) {
        let n = keys.count
        precondition(n < Int(UInt32.max), "Too many rows for an as-of join: \(n)")
        let limit = UInt64(keyCount)
        @inline(__always) func included(_ i: Int) -> Bool {
            UInt64(bitPattern: keys[i]) < limit
                && (timeValidity.map { ($0[i >> 6] >> UInt64(i & 63)) & 1 != 0 } ?? true)
        }
        // Per-chunk counts cost keyCount words each, so chunks are only cut when keys are few.
        let grain = Swift.max(1 << 18, 4 * keyCount)
        let chunks = Parallel.chunkRanges(count: n, grain: grain)
        let width = keyCount + 1
        var cursors = [Int](repeating: 0, count: chunks.count * width)
        cursors.withUnsafeMutableBufferPointer { all in
            let shared = UncheckedSendable(value: all)
            Parallel.forEach(Array(chunks.enumerated())) { chunk, range in
                let counts = shared.value.baseAddress! + chunk * width
                for i in range where included(i) { counts[Int(keys[i])] += 1 }
            }
        }
        // Turn the counts into each chunk's first position per key: key-major, chunk-minor.
        var starts = [Int](repeating: 0, count: width)
        var total = 0
        cursors.withUnsafeMutableBufferPointer { all in
            for k in 0..<keyCount {
                starts[k] = total
                for chunk in 0..<chunks.count {
                    let count = all[chunk * width + k]
                    all[chunk * width + k] = total
                    total += count
                }
            }
            starts[keyCount] = total
        }
        let rows = [TimedRow](uninitializedCount: total) { out, initialized in
            cursors.withUnsafeMutableBufferPointer { all in
                let shared = UncheckedSendable(value: (all, out))
                Parallel.forEach(Array(chunks.enumerated())) { chunk, range in
                    let next = shared.value.0.baseAddress! + chunk * width
                    let out = shared.value.1.baseAddress!
                    for i in range where included(i) {
                        let k = Int(keys[i])
                        var row = TimedRow(time: times[i], created: 0, index: UInt32(i), hasCreated: false)
                        if let created {
                            let valid = createdValidity.map { ($0[i >> 6] >> UInt64(i & 63)) & 1 != 0 } ?? true
                            row.created = valid ? created[i] : 0
                            row.hasCreated = valid
                        }
                        (out + next[k]).initialize(to: row)
                        next[k] += 1
                    }
                }
            }
            initialized = total
        }
        return (starts, rows)
    }

    /// Sorts every bucket with `less`, on all cores for large inputs.
    /// - Complexity: O(Σ b log b) for buckets of b rows; O(b) for a bucket already in order.
    static func sortBuckets(_ rows: UnsafeMutableBufferPointer<TimedRow>, starts: [Int]) {
        let shared = UncheckedSendable(value: rows)
        Parallel.forEach(keyRanges(starts, starts)) { keys in
            for k in keys {
                sortBucket(UnsafeMutableBufferPointer(rebasing: shared.value[starts[k]..<starts[k + 1]]))
            }
        }
    }

    /// Sorts one bucket with `less`, in linear time when it is already in order.
    @inline(__always)
    static func sortBucket(_ bucket: UnsafeMutableBufferPointer<TimedRow>) {
        var i = 1
        while i < bucket.count && less(bucket[i - 1], bucket[i]) { i += 1 }
        if i >= bucket.count { return }
        var bucket = bucket
        bucket.sort(by: less)
    }

    /// Splits the key codes into ranges with about equal numbers of rows on both sides together,
    /// one range when the sides are small.
    static func keyRanges(_ startsA: [Int], _ startsB: [Int]) -> [Range<Int>] {
        let keyCount = startsA.count - 1
        let total = startsA[keyCount] + startsB[keyCount]
        let parts = Swift.max(1, Swift.min(Parallel.maxChunks, total / (1 << 16)))
        if parts == 1 { return [0..<keyCount] }
        var ranges: [Range<Int>] = []
        var low = 0
        for part in 1..<parts {
            let target = total * part / parts
            var high = low
            while high < keyCount && startsA[high] + startsB[high] < target { high += 1 }
            ranges.append(low..<high)
            low = high
        }
        ranges.append(low..<keyCount)
        return ranges.filter { !$0.isEmpty }
    }
}

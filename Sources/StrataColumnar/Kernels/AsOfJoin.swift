/// The point-in-time (as-of) join of probe rows against build rows, with Feast's semantics.
///
/// For each probe row (key, time), the candidates are build rows with the same key and
/// `event time <= probe time` and, when `ttl > 0`, `event time >= probe time - ttl` (both bounds
/// inclusive). The latest event time wins; among equal (key, event time) the largest created
/// time wins, a null created time counting lowest; among rows equal in all three, `matchRankingTies`
/// takes the greatest in `TieOrder` over the columns it is given, and `match` the last in input order.
/// No candidate, a null or negative key, or a null time gives -1.
public enum AsOfJoin {
    /// For each probe row, in probe order, the index of the chosen build row or -1.
    ///
    /// Keys are codes from `KeyEncoder` (negative = null key); times are `timestamp` or `int64`
    /// columns in the same unit as `ttl` (microseconds for timestamps); `ttl` 0 means no lower
    /// bound. Probe rows may come in any order and repeat.
    ///
    /// Sort-merge: both sides are bucketed by key code (a counting sort), each build bucket is
    /// sorted by (event time, created, input position) and each probe bucket by time, and one
    /// merge pass per key picks the last build row at or before each probe. Keys are split into
    /// ranges of about equal size that run on all cores.
    /// - Complexity: O(p + b + k + Σ bᵢ log bᵢ + Σ pᵢ log pᵢ) for p probe rows, b build rows and
    ///   k key codes, bᵢ and pᵢ being the rows of key i; a bucket already in time order sorts in
    ///   linear time. Sparse keys (codes far above the row count) are first re-encoded densely.
    public static func match(
        probeKeys: [Int64], probeTimes: Column,
        buildKeys: [Int64], buildTimes: Column, buildCreated: Column? = nil,
        ttl: Int64 = 0
    ) -> [Int] {
        matchRankingTies(
            probeKeys: probeKeys, probeTimes: probeTimes, buildKeys: buildKeys, buildTimes: buildTimes,
            buildCreated: buildCreated, ttl: ttl, tieBreak: []
        ).matches
    }

    /// As `match`, but among build rows equal in key, event and created time the greatest in `TieOrder`
    /// over `tieBreak` (build-side columns, compared in order) wins, so the result does not depend on input
    /// order; `distinctTies` tells whether a chosen row was tied with a row of other values.
    /// - Complexity: as `match`, plus the comparisons of tied rows.
    public static func matchRankingTies(
        probeKeys: [Int64], probeTimes: Column,
        buildKeys: [Int64], buildTimes: Column, buildCreated: Column? = nil,
        ttl: Int64 = 0, tieBreak: [Column]
    ) -> (matches: [Int], distinctTies: Bool) {
        precondition(tieBreak.allSatisfy { $0.count == buildKeys.count }, "Tie-break columns differ in length from the build keys")
        precondition(ttl >= 0, "ttl must not be negative, got \(ttl)")
        precondition(probeKeys.count == probeTimes.count, "Probe keys and times differ in length")
        precondition(buildKeys.count == buildTimes.count, "Build keys and times differ in length")
        precondition(buildCreated.map { $0.count == buildKeys.count } ?? true, "Build created times differ in length")
        let probeTime = probeTimes.integerValues
        let buildTime = buildTimes.integerValues
        let created = buildCreated?.integerValues

        var probeCodes = probeKeys
        var buildCodes = buildKeys
        var highest = maxKey(buildKeys)
        if highest >= 2 * (buildKeys.count + probeKeys.count) + 1024 {
            (probeCodes, buildCodes) = densify(probe: probeKeys, build: buildKeys)
            highest = maxKey(buildCodes)
        }
        let keyCount = highest + 1

        // Destructured so that each rows array has one owner and sorts in place without a copy.
        var (probeStarts, probeRows) = bucket(probeCodes, keyCount, probeTime, probeTimes.validity?.words, nil, nil)
        var (buildStarts, buildRows) = bucket(
            buildCodes, keyCount, buildTime, buildTimes.validity?.words, created, buildCreated?.validity?.words)
        var result = [Int](repeating: -1, count: probeKeys.count)
        let ranges = KeyedTimeSort.keyRanges(probeStarts, buildStarts)
        var distinct = [Bool](repeating: false, count: ranges.count)
        result.withUnsafeMutableBufferPointer { out in
            probeRows.withUnsafeMutableBufferPointer { probes in
                buildRows.withUnsafeMutableBufferPointer { builds in
                    distinct.withUnsafeMutableBufferPointer { distinct in
                        let shared = UncheckedSendable(value: (out, probes, builds, distinct))
                        Parallel.forEach(Array(ranges.enumerated())) { part, keys in
                            let (out, probes, builds, distinct) = shared.value
                            for k in keys {
                                let probeRange = probeStarts[k]..<probeStarts[k + 1]
                                let buildRange = buildStarts[k]..<buildStarts[k + 1]
                                if probeRange.isEmpty || buildRange.isEmpty { continue }
                                KeyedTimeSort.sortBucket(UnsafeMutableBufferPointer(rebasing: probes[probeRange]))
                                KeyedTimeSort.sortBucket(UnsafeMutableBufferPointer(rebasing: builds[buildRange]))
                                if merge(probes, probeRange, builds, buildRange, ttl: ttl, tieBreak: tieBreak, into: out) {
                                    distinct[part] = true
                                }
                            }
                        }
                    }
                }
            }
        }
        return (result, distinct.contains(true))
    }

    /// For each probe row, in probe order, the index of the chosen build row or -1, for times
    /// without nulls (microseconds, or any unit shared with `ttl`).
    /// - Complexity: as `match(probeKeys:probeTimes:buildKeys:buildTimes:buildCreated:ttl:)` with columns.
    public static func match(
        probeKeys: [Int64], probeTimes: [Int64],
        buildKeys: [Int64], buildTimes: [Int64], buildCreated: Column? = nil,
        ttl: Int64 = 0
    ) -> [Int] {
        match(
            probeKeys: probeKeys, probeTimes: Column(timestamp: probeTimes),
            buildKeys: buildKeys, buildTimes: Column(timestamp: buildTimes), buildCreated: buildCreated,
            ttl: ttl)
    }

    /// Picks, for each probe of one key (sorted by time), the last build row at or before it, or with
    /// `tieBreak` the greatest of the rows tied with that one; returns whether a tie had distinct values.
    @inline(__always)
    private static func merge(
        _ probes: UnsafeMutableBufferPointer<TimedRow>, _ probeRange: Range<Int>,
        _ builds: UnsafeMutableBufferPointer<TimedRow>, _ buildRange: Range<Int>,
        ttl: Int64, tieBreak: [Column], into out: UnsafeMutableBufferPointer<Int>
    ) -> Bool {
        var b = buildRange.lowerBound
        let end = buildRange.upperBound
        var rankedEnd = -1
        var ranked = 0
        var distinct = false
        for p in probeRange {
            let probe = probes[p]
            while b < end && builds[b].time <= probe.time { b += 1 }
            guard b > buildRange.lowerBound else { continue }
            var chosen = builds[b - 1]
            if !tieBreak.isEmpty {
                if rankedEnd != b {
                    // The rows tied with the last one sit just before it (buckets are sorted by time, created, input).
                    rankedEnd = b
                    ranked = b - 1
                    var j = b - 1
                    while j > buildRange.lowerBound && KeyedTimeSort.tied(builds[j - 1], builds[b - 1]) {
                        j -= 1
                        let order = TieOrder.compare(tieBreak, Int(builds[j].index), Int(builds[ranked].index))
                        if order != 0 { distinct = true }
                        if order > 0 { ranked = j }
                    }
                }
                chosen = builds[ranked]
            }
            if ttl > 0 {
                let (earliest, overflow) = probe.time.subtractingReportingOverflow(ttl)
                if !overflow && chosen.time < earliest { continue }
            }
            out[Int(probe.index)] = Int(chosen.index)
        }
        return distinct
    }

    private static func bucket(
        _ keys: [Int64], _ keyCount: Int, _ times: [Int64], _ timeValidity: [UInt64]?,
        _ created: [Int64]?, _ createdValidity: [UInt64]?
    ) -> (starts: [Int], rows: [TimedRow]) {
        keys.withUnsafeBufferPointer { k in
            times.withUnsafeBufferPointer { t in
                withOptionalBuffer(timeValidity) { tv in
                    withOptionalBuffer(created) { c in
                        withOptionalBuffer(createdValidity) { cv in
                            KeyedTimeSort.bucket(
                                keys: k, keyCount: keyCount, times: t, timeValidity: tv, created: c, createdValidity: cv)
                        }
                    }
                }
            }
        }
    }

    /// The largest key, -1 when there is none (or only negative ones).
    private static func maxKey(_ keys: [Int64]) -> Int {
        keys.withUnsafeBufferPointer { k in
            var high: Int64 = -1
            for key in k { high = key > high ? key : high }
            return Int(high)
        }
    }

    private static func withOptionalBuffer<T, R>(_ array: [T]?, _ body: (UnsafeBufferPointer<T>?) -> R) -> R {
        guard let array else { return body(nil) }
        return array.withUnsafeBufferPointer { body($0) }
    }

    /// Dense codes for sparse keys: build keys in first-seen order, probe keys missing from the
    /// build side -1.
    private static func densify(probe: [Int64], build: [Int64]) -> ([Int64], [Int64]) {
        var dictionary = Int64Dictionary()
        let valid = build.map { $0 >= 0 }
        let buildCodes = [Int64](uninitializedCount: build.count) { codes, initialized in
            build.withUnsafeBufferPointer { keys in
                Bitmap(valid).words.withUnsafeBufferPointer { w in
                    dictionary.encode(keys, validity: w, into: codes)
                }
            }
            initialized = build.count
        }
        let probeCodes = [Int64](uninitializedCount: probe.count) { codes, initialized in
            probe.withUnsafeBufferPointer { keys in
                Bitmap(probe.map { $0 >= 0 }).words.withUnsafeBufferPointer { w in
                    dictionary.lookup(keys, validity: w, into: codes)
                }
            }
            initialized = probe.count
        }
        return (probeCodes, buildCodes)
    }
}

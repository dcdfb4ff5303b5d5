import Testing
@testable import StrataColumnar

/// One as-of join input, kept as optionals so that the reference reads like the specification.
private struct JoinCase {
    var probeKeys: [Int64] = []
    var probeTimes: [Int64?] = []
    var buildKeys: [Int64] = []
    var buildTimes: [Int64?] = []
    var buildCreated: [Int64?]?
    var ttl: Int64 = 0

    func run() -> [Int] {
        AsOfJoin.match(
            probeKeys: probeKeys, probeTimes: Column(timestamp: probeTimes),
            buildKeys: buildKeys, buildTimes: Column(timestamp: buildTimes),
            buildCreated: buildCreated.map { Column(timestamp: $0) }, ttl: ttl)
    }

    /// Row by row, straight from the semantics: filter the candidates, keep the best.
    func reference() -> [Int] {
        func createdOrder(_ a: Int64?, _ b: Int64?) -> Int {
            switch (a, b) {
            case (nil, nil): return 0
            case (nil, _): return -1
            case (_, nil): return 1
            case (let a?, let b?): return a < b ? -1 : (a == b ? 0 : 1)
            }
        }
        return probeKeys.indices.map { p in
            guard probeKeys[p] >= 0, let t = probeTimes[p] else { return -1 }
            var best = -1
            for b in buildKeys.indices {
                guard buildKeys[b] == probeKeys[p], let e = buildTimes[b], e <= t else { continue }
                if ttl > 0 && e < t - ttl { continue }
                if best < 0 {
                    best = b
                    continue
                }
                let bestTime = buildTimes[best]!
                let created = buildCreated?[b] ?? nil
                let bestCreated = buildCreated?[best] ?? nil
                if e > bestTime || (e == bestTime && createdOrder(created, bestCreated) >= 0) { best = b }
            }
            return best
        }
    }
}

@Suite struct AsOfJoinTests {
    @Test func latestAtOrBeforeProbe() {
        let join = JoinCase(
            probeKeys: [1, 1, 1, 2, 3],
            probeTimes: [5, 10, 4, 100, 7],
            buildKeys: [1, 1, 1, 2],
            buildTimes: [5, 8, 11, 101])
        #expect(join.run() == [0, 1, -1, -1, -1])
        #expect(join.run() == join.reference())
    }

    @Test func ttlBoundIsInclusive() {
        var join = JoinCase(probeKeys: [7, 7, 7], probeTimes: [10, 11, 20], buildKeys: [7], buildTimes: [5], ttl: 5)
        #expect(join.run() == [0, -1, -1])
        join.ttl = 0
        #expect(join.run() == [0, 0, 0])
    }

    @Test func createdBreaksTiesWithNullLowest() {
        let join = JoinCase(
            probeKeys: [1, 2, 3],
            probeTimes: [10, 10, 10],
            buildKeys: [1, 1, 1, 2, 2, 3, 3],
            buildTimes: [10, 10, 10, 9, 9, 10, 10],
            buildCreated: [3, nil, 2, nil, nil, 4, 4])
        #expect(join.run() == [0, 4, 6])
        #expect(join.reference() == [0, 4, 6])
    }

    @Test func nullKeysAndTimesNeverMatch() {
        let join = JoinCase(
            probeKeys: [-1, 1, 1],
            probeTimes: [10, nil, 10],
            buildKeys: [-1, 1, 1],
            buildTimes: [1, 2, nil])
        #expect(join.run() == [-1, -1, 1])
    }

    @Test func emptySides() {
        #expect(JoinCase().run() == [])
        #expect(JoinCase(probeKeys: [0, 1], probeTimes: [1, 2]).run() == [-1, -1])
        #expect(JoinCase(buildKeys: [0], buildTimes: [1]).run() == [])
    }

    @Test func sparseKeysAreReencoded() {
        let join = JoinCase(
            probeKeys: [1_000_000_000_000, 5, 999],
            probeTimes: [10, 10, 10],
            buildKeys: [5, 1_000_000_000_000, 1_000_000_000_000],
            buildTimes: [1, 2, 3])
        #expect(join.run() == [2, 0, -1])
    }

    @Test(arguments: 0..<400)
    func randomAgainstBruteForce(seed: Int) {
        var rng = SplitMix64(seed: UInt64(seed) &* 0x1234_5678 &+ 99)
        var join = JoinCase()
        let keyCount = Int64.random(in: 1...6, using: &rng)
        let timeRange = Int64.random(in: 0...3, using: &rng) == 0 ? 3 : Int64.random(in: 5...40, using: &rng)
        let buildCount = Int.random(in: 0...60, using: &rng)
        for _ in 0..<buildCount {
            join.buildKeys.append(rng.chance(0.05) ? -1 : Int64.random(in: 0..<keyCount, using: &rng))
            join.buildTimes.append(rng.chance(0.05) ? nil : Int64.random(in: 0...timeRange, using: &rng))
        }
        // Duplicates that differ only in created (or not at all).
        for _ in 0..<Int.random(in: 0...10, using: &rng) where !join.buildKeys.isEmpty {
            let source = Int.random(in: 0..<join.buildKeys.count, using: &rng)
            join.buildKeys.append(join.buildKeys[source])
            join.buildTimes.append(join.buildTimes[source])
        }
        if rng.chance(0.7) {
            join.buildCreated = join.buildKeys.map { _ in
                rng.chance(0.25) ? nil : Int64.random(in: 0...3, using: &rng)
            }
        }
        for _ in 0..<Int.random(in: 0...40, using: &rng) {
            // Keys up to keyCount + 1 include keys missing from the build side; times from
            // before all data.
            join.probeKeys.append(rng.chance(0.05) ? -1 : Int64.random(in: 0...(keyCount + 1), using: &rng))
            join.probeTimes.append(rng.chance(0.05) ? nil : Int64.random(in: -5...(timeRange + 5), using: &rng))
        }
        for _ in 0..<Int.random(in: 0...8, using: &rng) where !join.probeKeys.isEmpty {
            let source = Int.random(in: 0..<join.probeKeys.count, using: &rng)
            join.probeKeys.append(join.probeKeys[source])
            join.probeTimes.append(join.probeTimes[source])
        }
        join.ttl = [0, 0, 1, 2, 5, 1_000].randomElement(using: &rng)!
        #expect(join.run() == join.reference(), "seed \(seed)")
    }

    /// Large enough to split keys across cores; the reference scans only the probe's key.
    @Test func largeAgainstPerKeyReference() {
        var rng = SplitMix64(seed: 2024)
        var join = JoinCase()
        let keys: Int64 = 2_000
        for _ in 0..<150_000 {
            join.buildKeys.append(Int64.random(in: 0..<keys, using: &rng))
            join.buildTimes.append(Int64.random(in: 0...1_000, using: &rng))
        }
        join.buildCreated = join.buildKeys.map { _ in rng.chance(0.1) ? nil : Int64.random(in: 0...2, using: &rng) }
        for _ in 0..<60_000 {
            join.probeKeys.append(Int64.random(in: 0..<(keys + 50), using: &rng))
            join.probeTimes.append(Int64.random(in: -10...1_010, using: &rng))
        }
        join.ttl = 50
        var rowsByKey: [Int64: [Int]] = [:]
        for (row, key) in join.buildKeys.enumerated() { rowsByKey[key, default: []].append(row) }
        let result = join.run()
        var mismatches = 0
        for p in join.probeKeys.indices {
            let t = join.probeTimes[p]!
            var best = -1
            for b in rowsByKey[join.probeKeys[p]] ?? [] {
                let e = join.buildTimes[b]!
                guard e <= t, e >= t - join.ttl else { continue }
                let c = join.buildCreated![b] ?? -1
                if best < 0 || e > join.buildTimes[best]! || (e == join.buildTimes[best]! && c >= (join.buildCreated![best] ?? -1)) {
                    best = b
                }
            }
            if result[p] != best { mismatches += 1 }
        }
        #expect(mismatches == 0)
    }

    @Test func withStringKeysFromKeyEncoder() {
        let probe = Column(string: ["a", "b", nil, "zz", "a"])
        let build = Column(string: ["b", "a", "a", nil])
        let codes = KeyEncoder.encode(probe: [probe], build: [build])
        let result = AsOfJoin.match(
            probeKeys: codes.probe, probeTimes: Column(timestamp: [10, 10, 10, 10, 1]),
            buildKeys: codes.build, buildTimes: Column(timestamp: [3, 2, 4, 1]))
        #expect(result == [2, 0, -1, -1, -1])
    }
}

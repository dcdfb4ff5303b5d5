import StrataColumnar
import Testing

@Suite("Streaming as-of join")
struct AsOfAccumulatorTests {
    /// The accumulator, fed in random batches, picks the same rows as the sort-merge `AsOfJoin`
    /// (itself checked against a brute-force reference).
    @Test(arguments: 0..<150)
    func agreesWithTheSortMergeJoin(seed: Int) {
        var rng = SplitMix64(seed: UInt64(seed) &* 0x9E37_79B9)
        let keys = Int.random(in: 1...8, using: &rng)
        let probeCount = Int.random(in: 0...60, using: &rng)
        let buildCount = Int.random(in: 0...120, using: &rng)
        let probeKeys = (0..<probeCount).map { _ in rng.chance(0.05) ? -1 : Int64.random(in: 0..<Int64(keys + 2), using: &rng) }
        let probeTimes = Column(timestamp: (0..<probeCount).map { _ in rng.chance(0.03) ? nil : Int64.random(in: -2...30, using: &rng) })
        var seen = Set<[Int64]>()
        var buildKeys: [Int64] = [], times: [Int64?] = [], created: [Int64?] = [], values: [Int64?] = [], labels: [String?] = []
        for row in 0..<buildCount {
            let key = rng.chance(0.05) ? -1 : Int64.random(in: 0..<Int64(keys), using: &rng)
            let time: Int64? = rng.chance(0.03) ? nil : Int64.random(in: 0...25, using: &rng)
            let made: Int64? = rng.chance(0.2) ? nil : Int64.random(in: 0...3, using: &rng)
            guard seen.insert([key, time ?? .min, made ?? .min]).inserted else { continue }
            buildKeys.append(key)
            times.append(time)
            created.append(made)
            values.append(rng.chance(0.1) ? nil : Int64(row))
            labels.append(rng.chance(0.1) ? nil : String(repeating: "x", count: row % 5))
        }
        let ttl = [Int64(0), 1, 3, 10].randomElement(using: &rng)!
        let buildTimes = Column(timestamp: times)
        let createdColumn = Column(timestamp: created)
        let valueColumn = Column(int64: values)
        let labelColumn = Column(string: labels)
        let matches = AsOfJoin.match(
            probeKeys: probeKeys, probeTimes: probeTimes, buildKeys: buildKeys, buildTimes: buildTimes,
            buildCreated: createdColumn, ttl: ttl)
        var accumulator = AsOfAccumulator(
            probeKeys: probeKeys, probeTimes: probeTimes, valueTypes: [.int64, .string], ttl: ttl)
        var start = 0
        while start < buildKeys.count {
            let end = min(buildKeys.count, start + Int.random(in: 1...40, using: &rng))
            let rows = Array(start..<end)
            accumulator.add(
                keys: Array(buildKeys[start..<end]), times: buildTimes.take(indices: rows),
                created: createdColumn.take(indices: rows), values: [valueColumn.take(indices: rows), labelColumn.take(indices: rows)])
            start = end
        }
        let result = accumulator.finish(probeCount: probeCount)
        #expect(result[0] == valueColumn.take(indices: matches), "seed \(seed)")
        #expect(result[1] == labelColumn.take(indices: matches), "seed \(seed)")
    }
}

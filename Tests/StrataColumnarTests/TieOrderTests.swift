import StrataColumnar
import Testing

@Suite("Rows tied in key, event and created time")
struct TieOrderTests {
    @Test func valuesRankAsPostgreSQLSortsThem() {
        #expect(TieOrder.compare(Double.nan, .infinity) == 1)
        #expect(TieOrder.compare(Double.nan, .nan) == 0)
        #expect(TieOrder.compare(-0.0, 0.0) == 0)
        #expect(TieOrder.compare(Float(-1), Float(2)) == -1)
        #expect(TieOrder.compare(Array("é".utf8)[...], Array("z".utf8)[...]) == 1)
        #expect(TieOrder.compare(Array("ab".utf8)[...], Array("a".utf8)[...]) == 1)
        let values = Column(int64: [nil, -5, 3])
        #expect(TieOrder.compare(values, 0, values, 1) == -1)
        #expect(TieOrder.compare(values, 2, values, 1) == 1)
        let flags = Column(bool: [false, true])
        #expect(TieOrder.compare(flags, 0, flags, 1) == -1)
    }

    /// Build rows with many ties, offered in two orders: the sort-merge join and the streaming accumulator
    /// (in random batches) both choose, for every probe, the greatest of the tied rows, as a brute-force
    /// reference does, so the gathered values never depend on the order.
    @Test(arguments: 0..<100)
    func theChosenRowDoesNotDependOnTheInputOrder(seed: Int) {
        var rng = SplitMix64(seed: UInt64(seed) &* 0x9E37_79B9 &+ 7)
        let probeCount = Int.random(in: 1...40, using: &rng)
        let buildCount = Int.random(in: 1...80, using: &rng)
        let probeKeys = (0..<probeCount).map { _ in Int64.random(in: 0..<3, using: &rng) }
        let probeTimes = Column(timestamp: (0..<probeCount).map { _ in Int64.random(in: 0...6, using: &rng) })
        let buildKeys = (0..<buildCount).map { _ in Int64.random(in: 0..<3, using: &rng) }
        let times = (0..<buildCount).map { _ in Int64.random(in: 0...5, using: &rng) }
        let created = (0..<buildCount).map { _ in rng.chance(0.1) ? nil : Int64.random(in: 0...1, using: &rng) }
        let numbers = Column(float64: (0..<buildCount).map { _ in rng.chance(0.2) ? nil : Double(Int.random(in: -2...2, using: &rng)) })
        let labels = Column(string: (0..<buildCount).map { _ in rng.chance(0.2) ? nil : ["", "a", "ab", "é", "z"].randomElement(using: &rng)! })
        let ttl = [Int64(0), 2].randomElement(using: &rng)!

        func chosen(_ order: [Int]) -> (merge: [Column], stream: [Column]) {
            let keys = order.map { buildKeys[$0] }
            let timeColumn = Column(timestamp: order.map { times[$0] })
            let createdColumn = Column(timestamp: order.map { created[$0] })
            let values = [numbers.take(indices: order), labels.take(indices: order)]
            let (matches, _) = AsOfJoin.matchRankingTies(
                probeKeys: probeKeys, probeTimes: probeTimes, buildKeys: keys, buildTimes: timeColumn,
                buildCreated: createdColumn, ttl: ttl, tieBreak: values)
            var accumulator = AsOfAccumulator(probeKeys: probeKeys, probeTimes: probeTimes, valueTypes: [.float64, .string], ttl: ttl)
            var start = 0
            while start < order.count {
                let end = min(order.count, start + Int.random(in: 1...10, using: &rng))
                let rows = Array(start..<end)
                accumulator.add(
                    keys: Array(keys[start..<end]), times: timeColumn.take(indices: rows), created: createdColumn.take(indices: rows),
                    values: values.map { $0.take(indices: rows) })
                start = end
            }
            return (values.map { $0.take(indices: matches) }, accumulator.finish(probeCount: probeCount))
        }

        // The reference: the candidates of each probe, ranked by time, created (null lowest), then values.
        let reference = (0..<probeCount).map { p -> Int in
            var best = -1
            for b in 0..<buildCount where buildKeys[b] == probeKeys[p] && times[b] <= probeTimes.timestampValues[p] {
                if ttl > 0 && times[b] < probeTimes.timestampValues[p] - ttl { continue }
                guard best >= 0 else { best = b; continue }
                let rank = [
                    TieOrder.compare(times[b], times[best]),
                    TieOrder.compare(created[b] ?? .min, created[best] ?? .min),
                    TieOrder.compare([numbers, labels], b, best),
                ].first { $0 != 0 } ?? 0
                if rank > 0 { best = b }
            }
            return best
        }
        let expected = [numbers.take(indices: reference), labels.take(indices: reference)]
        var shuffled = Array(0..<buildCount)
        shuffled.shuffle(using: &rng)
        for order in [Array(0..<buildCount), shuffled, Array((0..<buildCount).reversed())] {
            let (merge, stream) = chosen(order)
            #expect(merge == expected, "seed \(seed): sort-merge")
            #expect(stream == expected, "seed \(seed): streaming")
        }
    }
}

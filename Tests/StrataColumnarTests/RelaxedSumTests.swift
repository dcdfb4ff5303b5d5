import Testing
@testable import StrataColumnar

@Suite struct RelaxedSumTests {
    /// Small integers sum exactly in any order, so the relaxed sum must equal the strict one.
    @Test(arguments: [0, 1, 15, 64, 1_000, 70_001, 300_007])
    func equalsTheStrictSumOnExactValues(count: Int) {
        var rng = SplitMix64(seed: UInt64(count))
        let values = (0..<count).map { _ in Double(Int.random(in: -1_000...1_000, using: &rng)) }
        let column = Column(float64: values)
        #expect(column.relaxedSum() == column.sum())
        #expect(column.relaxedSum() == values.reduce(0, +))
    }

    @Test(arguments: [100, 70_000, 200_003])
    func skipsNulls(count: Int) {
        var rng = SplitMix64(seed: 7)
        let values: [Double?] = (0..<count).map { _ in rng.chance(0.3) ? nil : Double(Int.random(in: -50...50, using: &rng)) }
        let expected = values.reduce(0) { $0 + ($1 ?? 0) }
        #expect(Column(float64: values).relaxedSum() == expected)
    }

    @Test func closeToTheStrictSumOnRandomValues() {
        var rng = SplitMix64(seed: 11)
        let values = (0..<500_000).map { _ in Double.random(in: -1...1, using: &rng) }
        let column = Column(float64: values)
        #expect(close(column.relaxedSum(), column.sum(), relative: 1e-12, absolute: 1e-9))
    }

    @Test func propagatesNaNAndFallsBackForOtherTypes() {
        #expect(Column(float64: [1, .nan, 2]).relaxedSum().isNaN)
        #expect(Column(int32: [1, 2, nil, 4]).relaxedSum() == 7)
        #expect(Column(float64: [Double]()).relaxedSum() == 0)
    }
}

@Suite struct UniformHistogramTests {
    /// The fast path must agree with `histogram(edges:)` over the same edges, including values
    /// on the edges, outside the range and NaN.
    @Test(arguments: [(1_000, 10), (250_000, 100), (100_003, 7)])
    func agreesWithTheEdgeHistogram(count: Int, bins: Int) {
        var rng = SplitMix64(seed: UInt64(count + bins))
        var values = (0..<count).map { _ in Double.random(in: -6...6, using: &rng) }
        let step = 10.0 / Double(bins)
        for k in 0...bins { values[k] = -5 + Double(k) * step }
        values[bins + 1] = .nan
        let column = Column(float64: values)
        let fast = column.histogram(binCount: bins, range: -5...5)
        let slow = column.histogram(edges: fast.edges)
        #expect(fast == slow)
        #expect(fast.edges.first == -5 && fast.edges.last == 5 && fast.edges.count == bins + 1)
        #expect(fast.nanCount == 1)
        #expect(fast.binnedCount + fast.belowCount + fast.aboveCount + fast.nanCount == count)
    }

    @Test func countsByHand() {
        let histogram = Column(float64: [0, 0.5, 1, 2, 3, -1, 4, 3]).histogram(binCount: 3, range: 0...3)
        #expect(histogram.counts == [2, 1, 3])
        #expect(histogram.belowCount == 1 && histogram.aboveCount == 1)
        let withNulls = Column(float64: [0, nil, 2.5]).histogram(binCount: 3, range: 0...3)
        #expect(withNulls.counts == [1, 0, 1] && withNulls.nullCount == 1)
    }
}

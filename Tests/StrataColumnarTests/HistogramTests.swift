import Testing
@testable import StrataColumnar

@Suite struct HistogramTests {
    @Test func binsAreHalfOpenExceptTheLast() {
        let column = Column(float64: [0, 0.5, 1, 2, 3, -1, 4, nil, .nan, 3])
        let histogram = column.histogram(edges: [0, 1, 2, 3])
        #expect(histogram.counts == [2, 1, 3])
        #expect(histogram.belowCount == 1)
        #expect(histogram.aboveCount == 1)
        #expect(histogram.nullCount == 1)
        #expect(histogram.nanCount == 1)
        #expect(histogram.binnedCount == 6)
    }

    /// Few bins are counted, many looked up in a table; both against a linear scan.
    @Test(arguments: [(10, 3), (5_000, 15), (250_000, 8), (5_000, 33), (20_000, 200), (250_000, 1_000)])
    func randomAgainstNaive(size: Int, bins: Int) {
        var rng = SplitMix64(seed: UInt64(size * 1_000 + bins))
        let values: [Double?] = (0..<size).map { _ in
            rng.chance(0.1) ? nil : Double(Int.random(in: -400...6_000, using: &rng)) / 4
        }
        var edges: [Double] = [0]
        for _ in 0..<bins {
            // Uneven widths, some much narrower than a lookup cell.
            let width = rng.chance(0.2) ? 0.01 : Double(Int.random(in: 1...12, using: &rng)) / 4
            edges.append(edges.last! + width)
        }
        let histogram = Column(float64: values).histogram(edges: edges)
        var counts = [Int](repeating: 0, count: edges.count - 1)
        var below = 0
        var above = 0
        for case let v? in values {
            if v < edges[0] { below += 1; continue }
            if v > edges.last! { above += 1; continue }
            let bin = v == edges.last! ? edges.count - 2 : edges.lastIndex { $0 <= v }!
            counts[bin] += 1
        }
        #expect(histogram.counts == counts)
        #expect(histogram.belowCount == below && histogram.aboveCount == above)
        #expect(histogram.nullCount == values.filter { $0 == nil }.count)
    }
}

extension HistogramTests {
    @Test func extremeSpans() {
        let tiny = (0...40).map { Double($0) * Double.leastNonzeroMagnitude * 1_000 }
        let column = Column(float64: [0, tiny[5], tiny[40], 1])
        #expect(column.histogram(edges: tiny).counts.reduce(0, +) == 3)
        #expect(column.histogram(edges: tiny).counts[5] == 1)
        let huge = (0...40).map { Double($0 - 20) * 8.5e306 }
        let wide = Column(float64: [-1.7e308, 0, 1.7e308]).histogram(edges: huge)
        #expect(wide.counts[0] == 1 && wide.counts[20] == 1 && wide.counts[39] == 1)
    }
}

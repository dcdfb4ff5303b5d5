import Testing
@testable import StrataColumnar

@Suite struct QuantileTests {
    /// NumPy's linear method on a sorted copy.
    private func sortedQuantile(_ sorted: [Double], _ p: Double) -> Double {
        let h = p * Double(sorted.count - 1)
        let low = Int(h.rounded(.down))
        let high = min(low + 1, sorted.count - 1)
        return sorted[low] + (h - Double(low)) * (sorted[high] - sorted[low])
    }

    @Test func smallExamples() {
        let column = Column(float64: [4, nil, 1, 3, 2])
        #expect(column.median() == 2.5)
        #expect(column.quantiles([0, 0.25, 1]) == [1, 1.75, 4])
        #expect(Column(int64: [7]).quantile(0.3) == 7)
        #expect(Column.nulls(.float64, count: 3).quantiles([0.5]) == nil)
        #expect(Column(float64: [1, .nan]).median()!.isNaN)
    }

    @Test(arguments: 0..<60)
    func randomAgainstSorting(seed: Int) {
        var rng = SplitMix64(seed: UInt64(seed))
        let n = [1, 2, 3, 31, 32, 33, 500, 5_000, 100_000].randomElement(using: &rng)!
        let distinct = [2, 10, 1_000_000].randomElement(using: &rng)!
        let values: [Double?] = (0..<n).map { _ in
            rng.chance(0.1) ? nil : Double(Int.random(in: 0..<distinct, using: &rng)) * 0.25
        }
        let probabilities = [0, 0.01, 0.1, 0.25, 0.5, 0.5, 0.75, 0.9, 0.99, 1] + (0..<3).map { _ in Double.random(in: 0...1, using: &rng) }
        let sorted = values.compactMap { $0 }.sorted()
        let result = Column(float64: values).quantiles(probabilities)
        if sorted.isEmpty {
            #expect(result == nil)
            return
        }
        let expected = probabilities.map { sortedQuantile(sorted, $0) }
        #expect(zip(result!, expected).allSatisfy { close($0, $1, relative: 1e-12) }, "seed \(seed)")
    }

    @Test func adversarialOrders() {
        let ascending = (0..<50_000).map(Double.init)
        let organPipe = ascending + ascending.reversed()
        let orders: [[Double]] = [ascending, ascending.reversed(), organPipe, Array(repeating: 3, count: 50_000)]
        for values in orders {
            let sorted = values.sorted()
            let result = Column(float64: values).quantiles([0.1, 0.5, 0.9])!
            #expect(result == [0.1, 0.5, 0.9].map { sortedQuantile(sorted, $0) })
        }
    }
}

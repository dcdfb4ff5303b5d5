import Testing
@testable import StrataColumnar

@Suite struct SortedValuesTests {
    @Test func dropsNullsNaNAndInfinities() {
        let column = Column(float64: [3, nil, .nan, -.infinity, -0.0, 1.5, .infinity, 0, -2])
        #expect(column.sortedFiniteValues() == [-2, 0, 0, 1.5, 3])
        #expect(Column(int32: [5, nil, -7, 5]).sortedFiniteValues() == [-7, 5, 5])
        #expect(Column(bool: [true, false, nil, true]).sortedFiniteValues() == [0, 1, 1])
        #expect(Column.nulls(.float64, count: 4).sortedFiniteValues().isEmpty)
    }

    @Test(arguments: 0..<40)
    func randomAgainstTheStandardSort(seed: Int) {
        var rng = SplitMix64(seed: UInt64(seed))
        let n = [0, 1, 255, 256, 257, 1_000, 70_000].randomElement(using: &rng)!
        let scale = [1e-300, 1e-3, 1, 1e6, 1e300].randomElement(using: &rng)!
        let values: [Double?] = (0..<n).map { _ in
            if rng.chance(0.05) { return nil }
            if rng.chance(0.01) { return [.nan, .infinity, -.infinity].randomElement(using: &rng)! }
            return rng.chance(0.3) ? Double(Int.random(in: -5...5, using: &rng)) : rng.normal() * scale
        }
        let expected = values.compactMap { $0 }.filter(\.isFinite).map { $0 + 0 }.sorted()
        #expect(Column(float64: values).sortedFiniteValues() == expected)
        let integers = (0..<n).map { _ in Int64.random(in: -1_000_000_000_000...1_000_000_000_000, using: &rng) }
        #expect(Column(int64: integers).sortedFiniteValues() == integers.sorted().map(Double.init))
    }
}

import Testing
@testable import StrataColumnar

@Suite struct ReductionTests {
    /// Naive reductions of the non-null values.
    private func naive(_ values: [Double?]) -> (sum: Double, mean: Double?, variance: Double?, min: Double?, max: Double?) {
        let present = values.compactMap { $0 }
        guard !present.isEmpty else { return (0, nil, nil, nil, nil) }
        let sum = present.reduce(0, +)
        let mean = sum / Double(present.count)
        let variance = present.count < 2 ? nil : present.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(present.count - 1)
        return (sum, mean, variance, present.min(), present.max())
    }

    @Test(arguments: [0, 1, 2, 63, 64, 65, 1_000, 300_000])
    func float64WithNulls(size: Int) {
        var rng = SplitMix64(seed: UInt64(size))
        let values: [Double?] = (0..<size).map { _ in rng.chance(0.3) ? nil : Double.random(in: -1e3...1e3, using: &rng) + 1e6 }
        let column = Column(float64: values)
        let expected = naive(values)
        #expect(column.validCount == values.compactMap { $0 }.count)
        #expect(close(column.sum(), expected.sum, relative: 1e-12, absolute: 1e-6))
        #expect(optionalClose(column.mean(), expected.mean, relative: 1e-12))
        #expect(optionalClose(column.variance(), expected.variance, relative: 1e-7))
        #expect(column.min() == expected.min)
        #expect(column.max() == expected.max)
    }

    @Test func integerAndBoolColumns() {
        let ints = Column(int64: [5, nil, -3, 10, nil])
        #expect(ints.sum() == 12)
        #expect(ints.mean() == 4)
        #expect(ints.min() == -3 && ints.max() == 10)
        #expect(close(ints.variance(ddof: 0)!, (1 + 49 + 36) / 3.0))
        #expect(close(ints.variance()!, (1 + 49 + 36) / 2.0))
        #expect(close(ints.standardDeviation()!, (86 / 2.0).squareRoot()))
        let flags = Column(bool: [true, false, nil, true])
        #expect(flags.sum() == 2 && flags.validCount == 3)
        #expect(Column(int32: [Int32.max, Int32.max]).sum() == 2 * Double(Int32.max))
        #expect(Column(float32: [1.5, nil, 2.5]).mean() == 2)
    }

    @Test func emptyAndAllNull() {
        let nulls = Column.nulls(.float64, count: 100)
        #expect(nulls.sum() == 0)
        #expect(nulls.mean() == nil && nulls.min() == nil && nulls.max() == nil && nulls.variance() == nil)
        #expect(Column(float64: [3]).variance() == nil)
        #expect(Column(float64: [3]).variance(ddof: 0) == 0)
    }

    @Test func nanPropagates() {
        let column = Column(float64: [1, .nan, nil, 3])
        #expect(column.sum().isNaN && column.mean()!.isNaN && column.variance()!.isNaN)
        #expect(column.min()!.isNaN && column.max()!.isNaN)
    }

    @Test func largeWithSparseNullWords() {
        // Whole words of nulls and of values exercise both paths of the validity walk.
        let values = (0..<200_000).map { (i: Int) -> Double? in (i / 64) % 3 == 0 ? nil : Double(i % 1_000) }
        let column = Column(float64: values)
        let expected = naive(values)
        #expect(column.sum() == expected.sum)
        #expect(optionalClose(column.variance(ddof: 0), expected.variance.map { $0 * Double(column.validCount - 1) / Double(column.validCount) }, relative: 1e-10))
    }

    private func optionalClose(_ a: Double?, _ b: Double?, relative: Double) -> Bool {
        switch (a, b) {
        case (nil, nil): true
        case (let a?, let b?): close(a, b, relative: relative)
        default: false
        }
    }
}

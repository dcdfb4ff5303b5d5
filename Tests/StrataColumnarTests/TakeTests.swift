import Testing
@testable import StrataColumnar

@Suite struct TakeTests {
    @Test func minusOneGivesNull() {
        let column = Column(float64: [10, nil, 30])
        let taken = column.take(indices: [2, -1, 1, 0, 2])
        #expect(taken == Column(float64: [30, nil, nil, 10, 30]))
        #expect(column.take(indices: []).count == 0)
        #expect(Column(int64: [1, 2]).take(indices: [1, 0]).validity == nil)
    }

    @Test func everyType() {
        let indices = [1, -1, 0, 1]
        #expect(Column(float32: [1, 2]).take(indices: indices) == Column(float32: [2, nil, 1, 2]))
        #expect(Column(int64: [1, nil]).take(indices: indices) == Column(int64: [nil, nil, 1, nil]))
        #expect(Column(int32: [1, 2]).take(indices: indices) == Column(int32: [2, nil, 1, 2]))
        #expect(Column(bool: [true, false]).take(indices: indices) == Column(bool: [false, nil, true, false]))
        #expect(Column(timestamp: [5, 6]).take(indices: indices) == Column(timestamp: [6, nil, 5, 6]))
        #expect(Column(string: ["x", "yz"]).take(indices: indices) == Column(string: ["yz", nil, "x", "yz"]))
        #expect(Column.empty(.string).take(indices: [-1, -1]) == Column(string: [nil, nil] as [String?]))
        #expect(Column.empty(.float64).take(indices: [-1]) == Column(float64: [nil] as [Double?]))
    }

    @Test(arguments: [0, 1, 500, 200_003])
    func randomAgainstNaive(size: Int) {
        var rng = SplitMix64(seed: UInt64(size) + 3)
        let source: [String?] = (0..<max(size, 1)).map { i in
            rng.chance(0.1) ? nil : String(repeating: "abc", count: i % 5) + String(i)
        }
        let numbers: [Int64?] = (0..<source.count).map { _ in rng.chance(0.1) ? nil : Int64.random(in: 0...9, using: &rng) }
        let indices = (0..<size).map { _ in rng.chance(0.2) ? -1 : Int.random(in: 0..<source.count, using: &rng) }
        let strings = Column(string: source).take(indices: indices)
        let ints = Column(int64: numbers).take(indices: indices)
        #expect(strings == Column(string: indices.map { $0 < 0 ? nil : source[$0] }))
        #expect(ints == Column(int64: indices.map { $0 < 0 ? nil : numbers[$0] }))
    }

    @Test func filter() {
        let column = Column(string: ["a", nil, "c", "d"])
        #expect(column.filter(mask: [false, true, true, false]) == Column(string: [nil, "c"]))
        #expect(column.filter(mask: [false, false, false, false]).count == 0)
    }

    @Test func outOfRangeIndexTraps() async {
        await #expect(processExitsWith: .failure) {
            _ = Column(int64: [1, 2]).take(indices: [2])
        }
    }
}

import Testing
@testable import StrataColumnar

@Suite struct ArgsortTests {
    @Test func stableWithNullsLast() {
        let column = Column(int64: [3, nil, 1, 3, nil, 1, 2])
        #expect(column.argsort() == [2, 5, 6, 0, 3, 1, 4])
        #expect(column.argsort(descending: true) == [0, 3, 6, 2, 5, 1, 4])
    }

    @Test func floatsWithNaNAndSignedZero() {
        let column = Column(float64: [0.5, .nan, -0.0, nil, -2, 0.0, .infinity, -.infinity])
        #expect(column.argsort() == [7, 4, 2, 5, 0, 6, 1, 3])
        #expect(column.argsort(descending: true) == [6, 0, 2, 5, 4, 7, 1, 3])
        #expect(Column(float32: [2, -1, 1]).argsort() == [1, 2, 0])
    }

    @Test func stringsByBytes() {
        let column = Column(string: ["b", "a", nil, "", "ab", "b", "é", "B"])
        #expect(column.argsort() == [3, 7, 1, 4, 0, 5, 6, 2])
        #expect(column.argsort(descending: true) == [6, 0, 5, 4, 1, 7, 3, 2])
    }

    @Test func severalKeys() {
        let group = Column(string: ["x", "y", "x", "y", "x"])
        let time = Column(timestamp: [5, 1, 5, 2, 3])
        let order = Argsort.indices(by: [SortKey(group), SortKey(time, descending: true)])
        #expect(order == [0, 2, 4, 3, 1])
    }

    @Test(arguments: 0..<40)
    func randomAgainstComparisonSort(seed: Int) {
        var rng = SplitMix64(seed: UInt64(seed))
        let n = Int.random(in: 0...400, using: &rng)
        let a: [Int64?] = (0..<n).map { _ in rng.chance(0.15) ? nil : Int64.random(in: -3...3, using: &rng) * 1_000_000_007 }
        let b: [Double?] = (0..<n).map { _ in rng.chance(0.15) ? nil : Double(Int.random(in: -4...4, using: &rng)) / 2 }
        let c: [String?] = (0..<n).map { _ in rng.chance(0.15) ? nil : ["", "a", "ab", "b", "ba", "z"].randomElement(using: &rng)! }
        let d: [Bool?] = (0..<n).map { _ in rng.chance(0.15) ? nil : rng.chance(0.5) }
        let descending = (0..<4).map { _ in rng.chance(0.5) }
        let keys = [
            SortKey(Column(int64: a), descending: descending[0]),
            SortKey(Column(float64: b), descending: descending[1]),
            SortKey(Column(string: c), descending: descending[2]),
            SortKey(Column(bool: d), descending: descending[3]),
        ]
        let order = Argsort.indices(by: keys)

        /// -1, 0, 1 comparing optionals, nil last whatever the direction.
        func compare<T: Comparable>(_ x: T?, _ y: T?, _ desc: Bool) -> Int {
            switch (x, y) {
            case (nil, nil): return 0
            case (nil, _): return 1
            case (_, nil): return -1
            case (let x?, let y?): return x == y ? 0 : ((x < y) != desc ? -1 : 1)
            }
        }
        let expected = (0..<n).sorted { i, j in
            let orders = [
                compare(a[i], a[j], descending[0]),
                compare(b[i], b[j], descending[1]),
                compare(c[i].map { Array($0.utf8) }.map(ByteString.init), c[j].map { Array($0.utf8) }.map(ByteString.init), descending[2]),
                compare(d[i].map { $0 ? 1 : 0 }, d[j].map { $0 ? 1 : 0 }, descending[3]),
            ]
            return orders.first { $0 != 0 }.map { $0 < 0 } ?? (i < j)
        }
        #expect(order == expected)
    }

    @Test(arguments: [(dense: true, n: 3000), (dense: false, n: 3000), (dense: true, n: 0), (dense: true, n: 300_000)])
    func keyTimeCreatedFastPath(dense: Bool, n: Int) {
        var rng = SplitMix64(seed: UInt64(n) + (dense ? 1 : 2))
        let keys = (0..<n).map { _ in dense ? Int64.random(in: 5...200, using: &rng) : Int64.random(in: .min ... .max, using: &rng) % 50 * 1_000_000_000_000 }
        let times = (0..<n).map { _ in Int64.random(in: 0...20, using: &rng) }
        let created = (0..<n).map { _ in Int64.random(in: -2...2, using: &rng) }
        let order = Argsort.indices(key: keys, time: times, created: created)
        let expected = (0..<n).sorted {
            (keys[$0], times[$0], created[$0], $0) < (keys[$1], times[$1], created[$1], $1)
        }
        #expect(order == expected)
    }
}

/// Byte strings ordered lexicographically, as the sort orders strings.
private struct ByteString: Comparable {
    let bytes: [UInt8]
    static func < (a: ByteString, b: ByteString) -> Bool { a.bytes.lexicographicallyPrecedes(b.bytes) }
}

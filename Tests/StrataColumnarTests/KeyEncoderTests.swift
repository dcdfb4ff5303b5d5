import Testing
@testable import StrataColumnar

@Suite struct KeyEncoderTests {
    @Test func integersShareOneDictionary() {
        var encoder = KeyEncoder()
        let build = encoder.encode(Column(int64: [42, 7, 42, nil, -1]))
        let probe = encoder.encode(Column(int64: [7, 99, nil, 42]))
        #expect(build == [0, 1, 0, -1, 2])
        #expect(probe == [1, 3, -1, 0])
        #expect(encoder.keyCount == 4)
        #expect(encoder.lookup(Column(int64: [99, 5, 42])) == [3, -1, 0])
        #expect(encoder.keyCount == 4)
    }

    @Test func int32AndTimestampCompareAsIntegers() {
        var encoder = KeyEncoder()
        _ = encoder.encode(Column(int64: [1, 2]))
        #expect(encoder.encode(Column(int32: [2, 1, 3])) == [1, 0, 2])
    }

    @Test func strings() {
        var encoder = KeyEncoder()
        let build = encoder.encode(Column(string: ["driver_1", "", "driver_2", nil, "driver_1"]))
        #expect(build == [0, 1, 2, -1, 0])
        #expect(encoder.lookup(Column(string: ["driver_2", "driver_3", ""])) == [2, -1, 1])
    }

    @Test func compositeKeys() {
        let codes = KeyEncoder.encode(
            probe: [Column(int64: [1, 1, 2, nil]), Column(string: ["a", "b", "a", "a"])],
            build: [Column(int64: [1, 2, 1, 1]), Column(string: ["a", "a", "a", nil])])
        #expect(codes.build == [0, 1, 0, -1])
        #expect(codes.probe == [0, -1, 1, -1])
        #expect(codes.keyCount == 2)
    }

    @Test(arguments: 0..<10)
    func randomCompositeAgainstDictionary(seed: Int) {
        var rng = SplitMix64(seed: UInt64(seed))
        let n = Int.random(in: 0...5_000, using: &rng)
        let a: [Int64?] = (0..<n).map { _ in rng.chance(0.05) ? nil : Int64.random(in: -20...20, using: &rng) * 1_000_003 }
        let b: [String?] = (0..<n).map { _ in
            rng.chance(0.05) ? nil : String(repeating: "k", count: Int.random(in: 0...12, using: &rng))
        }
        var encoder = KeyEncoder()
        let split = n / 2
        let first = encoder.encode([Column(int64: Array(a[..<split])), Column(string: Array(b[..<split]))])
        let second = encoder.encode([Column(int64: Array(a[split...])), Column(string: Array(b[split...]))])
        var seen: [String: Int64] = [:]
        let expected = (0..<n).map { i -> Int64 in
            guard let x = a[i], let y = b[i] else { return -1 }
            let key = "\(x)|\(y)"
            if let code = seen[key] { return code }
            seen[key] = Int64(seen.count)
            return seen[key]!
        }
        #expect(first + second == expected)
        #expect(encoder.keyCount == seen.count)
    }

    @Test func manyDistinctKeysGrowTheTable() {
        var encoder = KeyEncoder()
        let values = (0..<100_000).map { Int64($0) * 7919 }
        #expect(encoder.encode(Column(int64: values)) == (0..<100_000).map(Int64.init))
        let strings = (0..<20_000).map { "user-\($0)" }
        var stringEncoder = KeyEncoder()
        #expect(stringEncoder.encode(Column(string: strings + strings)) == (Array(0..<20_000) + Array(0..<20_000)).map(Int64.init))
    }
}

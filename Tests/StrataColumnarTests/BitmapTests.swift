import Testing
@testable import StrataColumnar

@Suite struct BitmapTests {
    @Test func appendAndRead() {
        var bits = Bitmap()
        let pattern = (0..<200).map { $0 % 3 == 0 || $0 == 64 }
        for bit in pattern { bits.append(bit) }
        #expect(bits.count == 200)
        #expect(bits.words.count == 4)
        #expect((0..<200).map { bits[$0] } == pattern)
        #expect(bits.setCount == pattern.filter { $0 }.count)
        #expect(bits == Bitmap(pattern))
    }

    @Test func repeatingClearsTail() {
        let bits = Bitmap(count: 70, repeating: true)
        #expect(bits.words == [~0, 0b11_1111])
        #expect(bits.setCount == 70)
        #expect(bits.isAllSet)
        #expect(Bitmap(count: 0, repeating: true).isAllSet)
        #expect(Bitmap(words: [~0, ~0], count: 65).words == [~0, 1])
    }

    @Test func appendRepeating() {
        var rng = SplitMix64(seed: 7)
        for _ in 0..<100 {
            var bits = Bitmap()
            var expected: [Bool] = []
            for _ in 0..<Int.random(in: 1...6, using: &rng) {
                let bit = rng.chance(0.5)
                let n = Int.random(in: 0...150, using: &rng)
                bits.append(repeating: bit, count: n)
                expected += Array(repeating: bit, count: n)
            }
            #expect(bits == Bitmap(expected))
        }
    }

    @Test func setClearAndIntersect() {
        var a = Bitmap(count: 130, repeating: false)
        a[0] = true
        a[129] = true
        a[64] = true
        a[64] = false
        #expect(a.setCount == 2)
        let b = Bitmap((0..<130).map { $0 != 129 })
        let both = a & b
        #expect(both.setCount == 1 && both[0])
        #expect(!both.isAllSet)
    }
}

import Testing
@testable import StrataColumnar

@Suite struct NumericMatrixTests {
    @Test func layoutsAndNullsAsNaN() {
        let columns = [Column(float64: [1, nil, 3]), Column(int32: [10, 20, nil]), Column(bool: [true, false, true])]
        let rows = NumericMatrix(columns: columns)
        #expect(rows.rowCount == 3 && rows.columnCount == 3)
        #expect(rows.values[0..<3] == [1, 10, 1])
        #expect(rows[1, 0].isNaN && rows[2, 1].isNaN)
        #expect(rows[1, 1] == 20)
        let cols = NumericMatrix(columns: columns, layout: .columnMajor)
        #expect(cols.values[3..<5] == [10, 20])
        for r in 0..<3 {
            for c in 0..<3 {
                #expect(rows[r, c] == cols[r, c] || (rows[r, c].isNaN && cols[r, c].isNaN))
            }
        }
    }

    @Test func largeFrameMatchesCellAccess() {
        var rng = SplitMix64(seed: 5)
        let n = 100_000
        let a = Column(float32: (0..<n).map { _ in rng.chance(0.1) ? nil : Float.random(in: 0...1, using: &rng) })
        let b = Column(timestamp: (0..<n).map { _ in rng.chance(0.1) ? nil : Int64.random(in: 0...1_000, using: &rng) })
        let frame = Frame(["a": a, "b": b, "s": Column(string: Array(repeating: "x", count: n))])
        for layout in [NumericMatrix.Layout.rowMajor, .columnMajor] {
            let matrix = NumericMatrix(frame: frame, columns: ["b", "a"], layout: layout)
            var mismatches = 0
            for r in 0..<n {
                let expected = [b.double(at: r) ?? .nan, a.double(at: r) ?? .nan]
                for c in 0..<2 where !(matrix[r, c] == expected[c] || (matrix[r, c].isNaN && expected[c].isNaN)) {
                    mismatches += 1
                }
            }
            #expect(mismatches == 0)
        }
    }
}

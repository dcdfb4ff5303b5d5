/// Stable least-significant-digit radix sort of row numbers by `UInt64` components.
enum RadixSort {
    /// The permutation that sorts rows `0..<count` by `components` lexicographically (the first
    /// component most significant), ties in input order.
    ///
    /// Each component is sorted by its bytes, lowest first, skipping bytes that are the same in
    /// every row; every pass is a stable counting sort.
    /// - Complexity: O(count × non-constant bytes).
    static func permutation(count n: Int, components: [[UInt64]]) -> [Int] {
        precondition(n < Int(UInt32.max), "Too many rows to sort: \(n)")
        for component in components { precondition(component.count == n) }
        var valuesA = [UInt64](repeating: 0, count: n)
        var valuesB = [UInt64](repeating: 0, count: n)
        var rowsA = (0..<UInt32(n)).map { $0 }
        var rowsB = [UInt32](repeating: 0, count: n)
        var inA = true
        valuesA.withUnsafeMutableBufferPointer { va in
            valuesB.withUnsafeMutableBufferPointer { vb in
                rowsA.withUnsafeMutableBufferPointer { ra in
                    rowsB.withUnsafeMutableBufferPointer { rb in
                        var histogram = [Int](repeating: 0, count: 8 * 256)
                        for component in components.reversed() {
                            let (values, rows) = inA ? (va, ra) : (vb, rb)
                            let (spareValues, spareRows) = inA ? (vb, rb) : (va, ra)
                            component.withUnsafeBufferPointer { c in
                                for i in 0..<n { values[i] = c[Int(rows[i])] }
                            }
                            histogram.withUnsafeMutableBufferPointer { h in
                                h.update(repeating: 0)
                                for v in values {
                                    for byte in 0..<8 { h[byte << 8 | Int((v >> UInt64(byte << 3)) & 0xff)] += 1 }
                                }
                            }
                            var from = (values, rows)
                            var to = (spareValues, spareRows)
                            for byte in 0..<8 {
                                let shift = UInt64(byte << 3)
                                let moved = histogram.withUnsafeMutableBufferPointer { h -> Bool in
                                    let counts = UnsafeMutableBufferPointer(rebasing: h[byte << 8 ..< (byte + 1) << 8])
                                    if counts.contains(n) { return false }
                                    var sum = 0
                                    for d in 0..<256 {
                                        let c = counts[d]
                                        counts[d] = sum
                                        sum += c
                                    }
                                    for i in 0..<n {
                                        let v = from.0[i]
                                        let d = Int((v >> shift) & 0xff)
                                        let target = counts[d]
                                        counts[d] = target + 1
                                        to.0[target] = v
                                        to.1[target] = from.1[i]
                                    }
                                    return true
                                }
                                if moved {
                                    swap(&from, &to)
                                    inA.toggle()
                                }
                            }
                        }
                    }
                }
            }
        }
        return (inA ? rowsA : rowsB).map { Int($0) }
    }
}

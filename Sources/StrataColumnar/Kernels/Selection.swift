/// In-place selection of order statistics (introselect).
enum Selection {
    /// Below this length a range is sorted outright.
    static let sortThreshold = 32

    /// Rearranges `values` so that every position in `positions` (sorted ascending) holds the
    /// value it would hold if `values` were sorted; NaN must not occur.
    ///
    /// Quickselect with a median-of-three (ninther for long ranges) pivot and a three-way
    /// partition, descending only into the sides that hold wanted positions; a range that
    /// recurses deeper than 2·log2(n) is sorted instead, which bounds the worst case.
    /// - Complexity: O(n) expected for a few positions, O(n log n) worst case.
    static func select(_ values: UnsafeMutableBufferPointer<Double>, positions: [Int]) {
        guard !values.isEmpty, !positions.isEmpty else { return }
        let depth = 2 * (Int.bitWidth - values.count.leadingZeroBitCount)
        positions.withUnsafeBufferPointer { wanted in
            select(values, 0, values.count, wanted[...], depthLeft: depth)
        }
    }

    private static func select(
        _ v: UnsafeMutableBufferPointer<Double>, _ low: Int, _ high: Int, _ wanted: Slice<UnsafeBufferPointer<Int>>,
        depthLeft: Int
    ) {
        var low = low
        var high = high
        var wanted = wanted
        var depthLeft = depthLeft
        while !wanted.isEmpty {
            if high - low <= sortThreshold || depthLeft == 0 {
                var range = UnsafeMutableBufferPointer(rebasing: v[low..<high])
                range.sort()
                return
            }
            depthLeft -= 1
            let pivot = choosePivot(v, low, high)
            // Three-way partition: [low, lt) < pivot, [lt, gt) == pivot, [gt, high) > pivot.
            var lt = low
            var i = low
            var gt = high
            while i < gt {
                let x = v[i]
                if x < pivot {
                    v.swapAt(lt, i)
                    lt += 1
                    i += 1
                } else if x > pivot {
                    gt -= 1
                    v.swapAt(i, gt)
                } else {
                    i += 1
                }
            }
            let leftEnd = wanted.firstIndex { $0 >= lt } ?? wanted.endIndex
            let rightStart = wanted[leftEnd...].firstIndex { $0 >= gt } ?? wanted.endIndex
            let left = wanted[..<leftEnd]
            let right = wanted[rightStart...]
            // Recurse into the smaller side that holds wanted positions, loop on the other.
            if left.isEmpty {
                low = gt
                wanted = right
            } else if right.isEmpty {
                high = lt
                wanted = left
            } else if lt - low < high - gt {
                select(v, low, lt, left, depthLeft: depthLeft)
                low = gt
                wanted = right
            } else {
                select(v, gt, high, right, depthLeft: depthLeft)
                high = lt
                wanted = left
            }
        }
    }

    private static func choosePivot(_ v: UnsafeMutableBufferPointer<Double>, _ low: Int, _ high: Int) -> Double {
        let n = high - low
        let mid = low + n / 2
        if n < 1024 { return median(v[low], v[mid], v[high - 1]) }
        let step = n / 8
        return median(
            median(v[low], v[low + step], v[low + 2 * step]),
            median(v[mid - step], v[mid], v[mid + step]),
            median(v[high - 1 - 2 * step], v[high - 1 - step], v[high - 1]))
    }

    @inline(__always)
    private static func median(_ a: Double, _ b: Double, _ c: Double) -> Double {
        Swift.max(Swift.min(a, b), Swift.min(Swift.max(a, b), c))
    }
}

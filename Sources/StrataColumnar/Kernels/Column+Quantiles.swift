extension Column {
    /// Exact quantiles of the values for probabilities in `0...1`, interpolating linearly between
    /// neighbouring order statistics (NumPy's default `linear` method); nulls are skipped.
    ///
    /// Returns `nil` when there are no values, and NaN for every quantile when a value is NaN.
    /// Found by selection (introselect) on a copy of the values, not by sorting them.
    /// - Complexity: O(count) expected for a few probabilities, O(count log count) worst case.
    public func quantiles(_ probabilities: [Double]) -> [Double]? {
        for p in probabilities {
            precondition(p >= 0 && p <= 1, "Quantile probability must be in 0...1, got \(p)")
        }
        var values = visitNumeric(DoublesVisitor())
        let n = values.count
        if n == 0 { return nil }
        if values.contains(where: \.isNaN) { return probabilities.map { _ in .nan } }
        let positions = probabilities.map { p -> (low: Int, high: Int, fraction: Double) in
            let h = p * Double(n - 1)
            let low = Swift.min(Int(h), n - 1)  // h >= 0, so truncation is the floor
            return (low, Swift.min(low + 1, n - 1), h - Double(low))
        }
        let wanted = Array(Set(positions.flatMap { [$0.low, $0.high] })).sorted()
        values.withUnsafeMutableBufferPointer { Selection.select($0, positions: wanted) }
        return positions.map { position in
            let a = values[position.low]
            let b = values[position.high]
            return position.fraction == 0 || a == b ? a : a + position.fraction * (b - a)
        }
    }

    /// The exact `p` quantile, `nil` when there are no values.
    /// - Complexity: O(count) expected.
    public func quantile(_ p: Double) -> Double? { quantiles([p])?[0] }

    /// The median, `nil` when there are no values.
    /// - Complexity: O(count) expected.
    public func median() -> Double? { quantile(0.5) }
}

/// The valid values as `Double`, in row order.
struct DoublesVisitor: NumericVisitor {
    func visit<T: NumericElement>(_ values: UnsafeBufferPointer<T>, validity: UnsafeBufferPointer<UInt64>?) -> [Double] {
        var out: [Double] = []
        out.reserveCapacity(values.count)
        ValidRows.forEach(values, validity, in: 0..<values.count) { out.append($0.doubleValue) }
        return out
    }
}

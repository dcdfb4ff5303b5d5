/// Reductions over numeric columns. Nulls are skipped; NaN values propagate (a NaN among the
/// values makes `sum`, `mean`, `variance`, `min` and `max` NaN). `bool` columns count as 0 and 1,
/// `timestamp` columns as their microseconds. Large columns are reduced on all cores in fixed
/// chunks whose partial results are combined in chunk order, so results do not depend on the
/// machine.
extension Column {
    static let reductionGrain = 1 << 16

    /// The sum of the values, 0 when there are none.
    /// - Complexity: O(count).
    public func sum() -> Double {
        visitNumeric(SumVisitor(center: 0)).sum
    }

    /// The arithmetic mean of the values, `nil` when there are none.
    /// - Complexity: O(count).
    public func mean() -> Double? {
        let n = validCount
        return n == 0 ? nil : sum() / Double(n)
    }

    /// The variance of the values with `ddof` delta degrees of freedom (1: sample, 0: population),
    /// `nil` when there are `ddof` values or fewer.
    ///
    /// Uses the corrected two-pass algorithm: the mean first, then the squared deviations from it
    /// with a compensation term for the rounding error of the mean (Chan, Golub and LeVeque).
    /// - Complexity: O(count), two passes.
    public func variance(ddof: Int = 1) -> Double? {
        precondition(ddof >= 0, "ddof must not be negative, got \(ddof)")
        let n = validCount
        guard n > ddof, let mean = mean() else { return nil }
        let deviations = visitNumeric(SumVisitor(center: mean))
        let squares = deviations.squares - deviations.sum * deviations.sum / Double(n)
        return Swift.max(squares, 0) / Double(n - ddof)
    }

    /// The standard deviation with `ddof` delta degrees of freedom, `nil` when there are `ddof`
    /// values or fewer.
    /// - Complexity: O(count), two passes.
    public func standardDeviation(ddof: Int = 1) -> Double? {
        variance(ddof: ddof).map { $0.squareRoot() }
    }

    /// The smallest value, `nil` when there are none.
    /// - Complexity: O(count).
    public func min() -> Double? {
        let extremes = visitNumeric(ExtremesVisitor())
        return extremes.count == 0 ? nil : extremes.min
    }

    /// The largest value, `nil` when there are none.
    /// - Complexity: O(count).
    public func max() -> Double? {
        let extremes = visitNumeric(ExtremesVisitor())
        return extremes.count == 0 ? nil : extremes.max
    }
}

/// Sums of `x - center` and of its square over the valid values.
private struct SumVisitor: NumericVisitor {
    let center: Double

    func visit<T: NumericElement>(
        _ values: UnsafeBufferPointer<T>, validity: UnsafeBufferPointer<UInt64>?
    ) -> (sum: Double, squares: Double) {
        let partials = Parallel.mapChunks(count: values.count, grain: Column.reductionGrain) { range in
            var sum = 0.0
            var squares = 0.0
            ValidRows.forEach(values, validity, in: range) { value in
                let d = value.doubleValue - center
                sum += d
                squares += d * d
            }
            return (sum: sum, squares: squares)
        }
        return partials.reduce((0, 0)) { ($0.sum + $1.sum, $0.squares + $1.squares) }
    }
}

/// Count, minimum and maximum of the valid values; NaN when any value is NaN.
private struct ExtremesVisitor: NumericVisitor {
    func visit<T: NumericElement>(
        _ values: UnsafeBufferPointer<T>, validity: UnsafeBufferPointer<UInt64>?
    ) -> (count: Int, min: Double, max: Double) {
        let partials = Parallel.mapChunks(count: values.count, grain: Column.reductionGrain) { range in
            var count = 0
            var low = Double.infinity
            var high = -Double.infinity
            var sawNaN = false
            ValidRows.forEach(values, validity, in: range) { value in
                let x = value.doubleValue
                count += 1
                sawNaN = sawNaN || x.isNaN
                low = x < low ? x : low
                high = x > high ? x : high
            }
            return sawNaN ? (count: count, min: .nan, max: .nan) : (count: count, min: low, max: high)
        }
        var result = (count: 0, min: Double.infinity, max: -Double.infinity)
        for partial in partials {
            result.count += partial.count
            result.min = result.min.isNaN || partial.min.isNaN ? .nan : Swift.min(result.min, partial.min)
            result.max = result.max.isNaN || partial.max.isNaN ? .nan : Swift.max(result.max, partial.max)
        }
        return result
    }
}

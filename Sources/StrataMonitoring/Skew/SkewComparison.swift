import StrataColumnar

/// Compares served values with the offline point-in-time values of the same (entity, instant), row
/// by row, into agreement, difference, or a value missing on one side.
///
/// "Differ" is exact inequality after the same type conversion: both sides read the same stored
/// values (the source row, copied into Redis by materialisation or push, and cast to the declared
/// type on either path), so any difference is skew, never rounding. The one relaxation is that NaN
/// equals NaN, since both sides then hold the same stored NaN. A value missing on both sides is
/// agreement whatever the served status says: `NOT_FOUND`, `NULL_VALUE` and `OUTSIDE_MAX_AGE`
/// (served null because the value is older than the ttl) all agree with an offline null.
///
/// The other relaxation is windowed sums, means and deviations (docs/aggregations.md): online folds
/// a window's tiles and offline sweeps its partials, adding the same values in another order, so
/// those float64 values agree within `relativeTolerance` of their magnitude.
enum SkewComparison {
    /// How one served row compares with the offline value.
    enum Outcome: UInt8 {
        /// The request did not ask for the feature.
        case notServed
        /// Both sides hold the same value, or neither holds one.
        case equal
        /// Both sides hold a value and they differ.
        case differ
        /// The offline join finds a value; the served one is null or not found.
        case missingServed
        /// The served value is present; the offline join finds none (or null).
        case missingOffline
    }

    /// The outcome of every row: `served` and `offline` are columns of the same type and length.
    /// - Complexity: O(rows), one pass over contiguous storage.
    static func compare(served: Column, statuses: [ServedStatus], offline: Column, relativeTolerance: Double = 0) throws -> [Outcome] {
        guard served.type == offline.type, served.count == offline.count, statuses.count == served.count else {
            throw MonitoringError(
                .missingColumn,
                "served values (\(served.type), \(served.count) rows) and offline values (\(offline.type), \(offline.count) rows) do not line up")
        }
        switch (served.storage, offline.storage) {
        case (.float64(let a), .float64(let b)) where relativeTolerance > 0:
            return classify(a, b, served, offline, statuses) {
                $0 == $1 || ($0.isNaN && $1.isNaN) || abs($0 - $1) <= relativeTolerance * max(1, abs($0), abs($1))
            }
        case (.float64(let a), .float64(let b)): return classify(a, b, served, offline, statuses) { $0 == $1 || ($0.isNaN && $1.isNaN) }
        case (.float32(let a), .float32(let b)): return classify(a, b, served, offline, statuses) { $0 == $1 || ($0.isNaN && $1.isNaN) }
        case (.int64(let a), .int64(let b)), (.timestamp(let a), .timestamp(let b)): return classify(a, b, served, offline, statuses, ==)
        case (.int32(let a), .int32(let b)): return classify(a, b, served, offline, statuses, ==)
        case (.bool(let a), .bool(let b)): return classify(a, b, served, offline, statuses, ==)
        default:
            return served.withStringStorage { aBytes, aOffsets in
                offline.withStringStorage { bBytes, bOffsets in
                    classify(served, offline, statuses) { row in
                        aBytes[aOffsets[row]..<aOffsets[row + 1]].elementsEqual(bBytes[bOffsets[row]..<bOffsets[row + 1]])
                    }
                }
            }
        }
    }

    /// Classifies every row of fixed-width values, comparing them with `equal`.
    @inline(__always)
    private static func classify<T>(
        _ a: [T], _ b: [T], _ served: Column, _ offline: Column, _ statuses: [ServedStatus], _ equal: (T, T) -> Bool
    ) -> [Outcome] {
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                classify(served, offline, statuses) { row in equal(a[row], b[row]) }
            }
        }
    }

    /// Classifies every row; `same(row)` says whether a row's two values agree where both are present.
    @inline(__always)
    private static func classify(
        _ served: Column, _ offline: Column, _ statuses: [ServedStatus], same: (Int) -> Bool
    ) -> [Outcome] {
        var outcomes = [Outcome](repeating: .notServed, count: served.count)
        for row in 0..<served.count {
            let status = statuses[row]
            guard status != .absent else { continue }
            let servedHas = status == .present && served.isValid(row)
            let offlineHas = offline.isValid(row)
            outcomes[row] =
                switch (servedHas, offlineHas) {
                case (true, true): same(row) ? .equal : .differ
                case (true, false): .missingOffline
                case (false, true): .missingServed
                case (false, false): .equal
                }
        }
        return outcomes
    }
}

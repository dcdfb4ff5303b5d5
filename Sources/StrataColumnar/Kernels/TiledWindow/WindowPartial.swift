/// A mergeable partial aggregate: combining the partials of two disjoint sets of events, the older
/// set first, gives the partial of their union. Windows are folded from the partials of their tiles.
protocol WindowPartial {
    /// The partial of no events.
    static var identity: Self { get }
    /// The partial of the events of `older` and `newer` together.
    static func combine(_ older: Self, _ newer: Self) -> Self
}

/// A number of events or of non-null values.
struct CountPartial: WindowPartial {
    var count: Int64

    static var identity: CountPartial { CountPartial(count: 0) }

    @inline(__always)
    static func combine(_ older: CountPartial, _ newer: CountPartial) -> CountPartial {
        CountPartial(count: older.count &+ newer.count)
    }
}

/// The count and sum of non-null values (sum and mean).
struct SumPartial: WindowPartial {
    var count: Int64
    var sum: Double

    static var identity: SumPartial { SumPartial(count: 0, sum: 0) }

    @inline(__always)
    static func combine(_ older: SumPartial, _ newer: SumPartial) -> SumPartial {
        SumPartial(count: older.count &+ newer.count, sum: older.sum + newer.sum)
    }
}

/// The count, sum and sum of squared deviations from the mean of non-null values (stddev), merged
/// with Chan, Golub and LeVeque's pairwise update: unlike a sum of squares, it loses no precision
/// when the values are large beside their spread.
struct MomentsPartial: WindowPartial {
    var count: Int64
    var sum: Double
    var squares: Double

    static var identity: MomentsPartial { MomentsPartial(count: 0, sum: 0, squares: 0) }

    @inline(__always)
    static func combine(_ older: MomentsPartial, _ newer: MomentsPartial) -> MomentsPartial {
        if older.count == 0 { return newer }
        if newer.count == 0 { return older }
        let a = Double(older.count), b = Double(newer.count)
        let delta = newer.sum / b - older.sum / a
        return MomentsPartial(
            count: older.count &+ newer.count, sum: older.sum + newer.sum,
            squares: older.squares + newer.squares + delta * delta * (a * b / (a + b)))
    }

    /// The population standard deviation; nil without values.
    var deviation: Double? {
        count == 0 ? nil : (Swift.max(0, squares) / Double(count)).squareRoot()
    }
}

/// How values held as 64-bit patterns compare: as `Double` or as `Int64`.
protocol TileValueOrder {
    /// Whether the value `a` is greater than `b`; a double NaN is greater than every number, as in
    /// PostgreSQL.
    static func greater(_ a: UInt64, _ b: UInt64) -> Bool
}

/// `Double` values, by their bit patterns.
enum DoubleOrder: TileValueOrder {
    @inline(__always)
    static func greater(_ a: UInt64, _ b: UInt64) -> Bool {
        let x = Double(bitPattern: a), y = Double(bitPattern: b)
        return x > y || (x.isNaN && !y.isNaN)
    }
}

/// `Int64` values, by their bit patterns.
enum IntegerOrder: TileValueOrder {
    @inline(__always)
    static func greater(_ a: UInt64, _ b: UInt64) -> Bool {
        Int64(bitPattern: a) > Int64(bitPattern: b)
    }
}

/// The smallest non-null value.
struct MinPartial<Order: TileValueOrder>: WindowPartial {
    var count: Int64
    var value: UInt64

    static var identity: MinPartial { MinPartial(count: 0, value: 0) }

    @inline(__always)
    static func combine(_ older: MinPartial, _ newer: MinPartial) -> MinPartial {
        if older.count == 0 { return newer }
        if newer.count == 0 { return older }
        return MinPartial(
            count: older.count &+ newer.count, value: Order.greater(older.value, newer.value) ? newer.value : older.value)
    }
}

/// The largest non-null value.
struct MaxPartial<Order: TileValueOrder>: WindowPartial {
    var count: Int64
    var value: UInt64

    static var identity: MaxPartial { MaxPartial(count: 0, value: 0) }

    @inline(__always)
    static func combine(_ older: MaxPartial, _ newer: MaxPartial) -> MaxPartial {
        if older.count == 0 { return newer }
        if newer.count == 0 { return older }
        return MaxPartial(
            count: older.count &+ newer.count, value: Order.greater(newer.value, older.value) ? newer.value : older.value)
    }
}

/// The non-null value of the latest event: the latest event time, then the latest created time
/// (Int64.min when none), then the larger value, so that any order of merging picks the same one.
struct LastPartial<Order: TileValueOrder>: WindowPartial {
    var count: Int64
    var time: Int64
    var created: Int64
    var value: UInt64

    static var identity: LastPartial { LastPartial(count: 0, time: 0, created: 0, value: 0) }

    @inline(__always)
    static func combine(_ older: LastPartial, _ newer: LastPartial) -> LastPartial {
        if older.count == 0 { return newer }
        if newer.count == 0 { return older }
        var winner = isLater(newer.time, newer.created, newer.value, than: older.time, older.created, older.value) ? newer : older
        winner.count = older.count &+ newer.count
        return winner
    }

    /// Whether (time, created, value) comes after the other triple.
    @inline(__always)
    static func isLater(_ time: Int64, _ created: Int64, _ value: UInt64, than otherTime: Int64, _ otherCreated: Int64, _ otherValue: UInt64) -> Bool {
        if time != otherTime { return time > otherTime }
        if created != otherCreated { return created > otherCreated }
        return Order.greater(value, otherValue)
    }
}

/// A mergeable histogram of numbers whose bins depend on no data: a value's bin is its sign,
/// exponent and first five mantissa bits, so bins are about 3% wide relative to their values and
/// two sketches of any data merge exactly by adding counts. Encoded as `[lower, upper, count]`
/// triples, each bin with its edges.
public struct ValueSketch: Sendable, Hashable, Codable {
    /// Bin numbers, ascending.
    public private(set) var bins: [UInt32]
    /// Values per bin, in the order of `bins`.
    public private(set) var counts: [Int]

    /// Low bits of a value's order key that a bin ignores (64 − 1 sign − 11 exponent − 5 mantissa).
    static let droppedBits: UInt64 = 47

    /// An empty sketch.
    public init() {
        bins = []
        counts = []
    }

    /// The sketch of sorted finite values.
    /// - Complexity: O(n).
    public init(sorted values: [Double]) {
        self.init()
        for x in values {
            let bin = Self.bin(of: x)
            if bins.last == bin {
                counts[counts.count - 1] += 1
            } else {
                bins.append(bin)
                counts.append(1)
            }
        }
    }

    /// The bin of a finite value: its magnitude with the low mantissa bits cleared, numbered so
    /// that bins sort as their values do. A positive bin holds `[lower, upper)`, a negative one
    /// `(lower, upper]`, so that round values (−1.5, 2) are edges on both sides of zero.
    static func bin(of x: Double) -> UInt32 {
        let truncated = (x + 0).bitPattern & ~lowMask
        let key = truncated >> 63 == 1 ? ~truncated : truncated | (1 << 63)
        return UInt32(key >> droppedBits)
    }

    private static let lowMask: UInt64 = (1 << droppedBits) - 1

    /// The edges of `bin`, clamped to finite numbers.
    public static func edges(of bin: UInt32) -> (lower: Double, upper: Double) {
        let key = UInt64(bin) << droppedBits
        func finite(_ bits: UInt64) -> Double {
            Swift.min(Swift.max(Double(bitPattern: bits), -Double.greatestFiniteMagnitude), Double.greatestFiniteMagnitude)
        }
        if key >> 63 == 1 {
            let start = key & ~(1 << 63)
            return (finite(start), finite(start + (1 << droppedBits)))
        }
        let start = ~key & ~lowMask
        return (finite(start + (1 << droppedBits)), finite(start))
    }

    public init(from decoder: Decoder) throws {
        var container = try decoder.unkeyedContainer()
        self.init()
        while !container.isAtEnd {
            var bin = try container.nestedUnkeyedContainer()
            let lower = try bin.decode(Double.self)
            let upper = try bin.decode(Double.self)
            let count = try bin.decode(Int.self)
            bins.append(Self.bin(of: upper <= 0 ? upper : lower))
            counts.append(count)
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.unkeyedContainer()
        for (bin, count) in zip(bins, counts) {
            let (lower, upper) = Self.edges(of: bin)
            var triple = container.nestedUnkeyedContainer()
            try triple.encode(lower)
            try triple.encode(upper)
            try triple.encode(count)
        }
    }

    /// The number of values counted.
    public var total: Int { counts.reduce(0, +) }

    /// Both sketches' counts added bin by bin.
    /// - Complexity: O(bins of both).
    public func merged(with other: ValueSketch) -> ValueSketch {
        var result = ValueSketch()
        var i = 0
        var j = 0
        while i < bins.count || j < other.bins.count {
            if j == other.bins.count || (i < bins.count && bins[i] < other.bins[j]) {
                result.bins.append(bins[i])
                result.counts.append(counts[i])
                i += 1
            } else if i == bins.count || other.bins[j] < bins[i] {
                result.bins.append(other.bins[j])
                result.counts.append(other.counts[j])
                j += 1
            } else {
                result.bins.append(bins[i])
                result.counts.append(counts[i] + other.counts[j])
                i += 1
                j += 1
            }
        }
        return result
    }

    /// An estimate of the `p` quantile, interpolated within its bin (off by at most the bin's
    /// width, about 3% of the value); nil when empty.
    public func quantile(_ p: Double) -> Double? {
        let n = total
        guard n > 0 else { return nil }
        let rank = p * Double(n - 1)
        var below = 0
        for (k, count) in counts.enumerated() {
            if Double(below + count) > rank {
                let (lower, upper) = Self.edges(of: bins[k])
                return lower + (upper - lower) * (rank - Double(below) + 0.5) / Double(count)
            }
            below += count
        }
        return Self.edges(of: bins[bins.count - 1]).upper
    }
}

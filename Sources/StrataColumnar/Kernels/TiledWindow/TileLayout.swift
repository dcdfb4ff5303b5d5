/// One aggregate of a tiled-window view, as the kernels see it.
public struct TiledAggregation: Sendable, Hashable {
    /// The function.
    public var function: WindowFunction
    /// The input column it reads (an index into the layout's inputs); nil counts events (`count` of `*`).
    public var input: Int?
    /// The window's length in µs, a positive multiple of the hop.
    public var window: Int64
    /// The type of the result column.
    public var output: ColumnType

    public init(function: WindowFunction, input: Int?, window: Int64, output: ColumnType) {
        self.function = function
        self.input = input
        self.window = window
        self.output = output
    }

    /// Aggregates with equal keys fold the same partials over the same windows: a sum and a mean of
    /// one input and window, or repeats of one function.
    var partialKey: PartialKey {
        PartialKey(function: function == .mean ? .sum : function, input: input, window: window)
    }

    struct PartialKey: Hashable {
        var function: WindowFunction
        var input: Int?
        var window: Int64
    }
}

/// What a tile holds for a set of aggregates: the number of events, and per input column the partial
/// aggregates its functions need, so that aggregates of one column share them whatever their windows.
public struct TileLayout: Sendable, Hashable {
    /// How an input column's values are held for `min`, `max` and `last`.
    public enum ValueKind: UInt8, Sendable, Hashable {
        /// As `Double` (float64 and float32 results).
        case double
        /// As `Int64` (int64, int32, timestamp and bool results).
        case integer

        /// The kind that holds results of `type`.
        public init(holding type: ColumnType) {
            self = type == .float64 || type == .float32 ? .double : .integer
        }
    }

    /// The partial aggregates kept for one input column; its count of non-null values is always kept.
    public struct Fields: Sendable, Hashable {
        public var kind: ValueKind
        /// The sum of the values (sum, mean and stddev).
        public var sum = false
        /// The sum of squared deviations from the mean (stddev).
        public var squares = false
        public var min = false
        public var max = false
        /// The latest event's value, event time and created time.
        public var last = false

        public init(kind: ValueKind) {
            self.kind = kind
        }
    }

    /// The tile length in µs.
    public var hop: Int64
    /// The fields of each input column.
    public var inputs: [Fields]
    /// The aggregates.
    public var aggregations: [TiledAggregation]

    /// The layout that `aggregations` over inputs of the given kinds need.
    public init(hop: Int64, inputKinds: [ValueKind], aggregations: [TiledAggregation]) {
        self.hop = hop
        self.aggregations = aggregations
        var inputs = inputKinds.map(Fields.init(kind:))
        for aggregation in aggregations {
            guard let input = aggregation.input else { continue }
            switch aggregation.function {
            case .count: break
            case .sum, .mean: inputs[input].sum = true
            case .stddev:
                inputs[input].sum = true
                inputs[input].squares = true
            case .min: inputs[input].min = true
            case .max: inputs[input].max = true
            case .last: inputs[input].last = true
            }
        }
        self.inputs = inputs
    }

    /// This layout with only the aggregates at `indices` (in that order) and the same input fields,
    /// so that it reads the same tiles but folds only what a lookup asks for.
    public func keeping(aggregations indices: [Int]) -> TileLayout {
        var copy = self
        copy.aggregations = indices.map { aggregations[$0] }
        return copy
    }

    /// The longest window, in µs.
    public var longestWindow: Int64 { aggregations.map(\.window).max() ?? hop }
}

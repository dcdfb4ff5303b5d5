/// Reads one aggregate's partial out of a `TileStore` and turns a folded partial into its value.
/// One reader type per function, so that folds are specialised and hold no closures.
protocol TileReader {
    associatedtype Partial: WindowPartial
    /// The partial of tile `index`.
    func partial(at index: Int) -> Partial
    /// The value of the reader's output `output` over the events of `partial`: aggregates that fold
    /// the same partials (a sum and a mean of one column and window) share one reader.
    func value(_ partial: Partial, output: Int) -> WindowValue
}

/// Receives the reader of an aggregate, typed.
protocol TileReaderVisitor {
    associatedtype Result
    mutating func visit<Reader: TileReader>(_ reader: Reader) -> Result
}

extension TileStore {
    /// Calls `visitor` with the reader of `aggregations` over these tiles: aggregates of one input,
    /// window and partial (see `TiledAggregation.partialKey`), whose outputs are in their order.
    func visit<Visitor: TileReaderVisitor>(_ aggregations: [TiledAggregation], _ visitor: inout Visitor) -> Visitor.Result {
        let aggregation = aggregations[0]
        guard let c = aggregation.input else { return visitor.visit(CountReader(counts: events)) }
        let input = inputs[c]
        let kind = layout.inputs[c].kind
        switch (aggregation.function, kind) {
        case (.count, _): return visitor.visit(CountReader(counts: input.count))
        case (.sum, _), (.mean, _):
            return visitor.visit(SumReader(counts: input.count, sums: input.sum, means: aggregations.map { $0.function == .mean }))
        case (.stddev, _): return visitor.visit(DeviationReader(counts: input.count, sums: input.sum, squares: input.squares))
        case (.min, .double): return visitor.visit(MinReader<DoubleOrder>(counts: input.count, values: input.min))
        case (.min, .integer): return visitor.visit(MinReader<IntegerOrder>(counts: input.count, values: input.min))
        case (.max, .double): return visitor.visit(MaxReader<DoubleOrder>(counts: input.count, values: input.max))
        case (.max, .integer): return visitor.visit(MaxReader<IntegerOrder>(counts: input.count, values: input.max))
        case (.last, .double): return visitor.visit(LastReader<DoubleOrder>(input))
        case (.last, .integer): return visitor.visit(LastReader<IntegerOrder>(input))
        }
    }
}

/// `count`: events, or non-null values of a column; 0 over no events.
struct CountReader: TileReader {
    let counts: [Int64]

    @inline(__always)
    func partial(at index: Int) -> CountPartial { CountPartial(count: counts[index]) }

    @inline(__always)
    func value(_ partial: CountPartial, output: Int) -> WindowValue { .integer(partial.count) }
}

/// `sum` and `mean`, which fold the same partials.
struct SumReader: TileReader {
    let counts: [Int64]
    let sums: [Double]
    /// Per output, whether it is the mean (else the sum).
    let means: [Bool]

    @inline(__always)
    func partial(at index: Int) -> SumPartial { SumPartial(count: counts[index], sum: sums[index]) }

    @inline(__always)
    func value(_ partial: SumPartial, output: Int) -> WindowValue {
        guard partial.count > 0 else { return .null }
        return .double(means[output] ? partial.sum / Double(partial.count) : partial.sum)
    }
}

/// `stddev` (population).
struct DeviationReader: TileReader {
    let counts: [Int64]
    let sums: [Double]
    let squares: [Double]

    @inline(__always)
    func partial(at index: Int) -> MomentsPartial {
        MomentsPartial(count: counts[index], sum: sums[index], squares: squares[index])
    }

    @inline(__always)
    func value(_ partial: MomentsPartial, output: Int) -> WindowValue { partial.deviation.map(WindowValue.double) ?? .null }
}

/// `min`.
struct MinReader<Order: TileValueOrder>: TileReader {
    let counts: [Int64]
    let values: [UInt64]

    @inline(__always)
    func partial(at index: Int) -> MinPartial<Order> { MinPartial(count: counts[index], value: values[index]) }

    @inline(__always)
    func value(_ partial: MinPartial<Order>, output: Int) -> WindowValue {
        partial.count > 0 ? WindowValue(bits: partial.value, isNull: false) : .null
    }
}

/// `max`.
struct MaxReader<Order: TileValueOrder>: TileReader {
    let counts: [Int64]
    let values: [UInt64]

    @inline(__always)
    func partial(at index: Int) -> MaxPartial<Order> { MaxPartial(count: counts[index], value: values[index]) }

    @inline(__always)
    func value(_ partial: MaxPartial<Order>, output: Int) -> WindowValue {
        partial.count > 0 ? WindowValue(bits: partial.value, isNull: false) : .null
    }
}

/// `last`.
struct LastReader<Order: TileValueOrder>: TileReader {
    let counts: [Int64]
    let times: [Int64]
    let created: [Int64]
    let values: [UInt64]

    init(_ input: TileStore.Input) {
        counts = input.count
        times = input.lastTime
        created = input.lastCreated
        values = input.last
    }

    @inline(__always)
    func partial(at index: Int) -> LastPartial<Order> {
        LastPartial(count: counts[index], time: times[index], created: created[index], value: values[index])
    }

    @inline(__always)
    func value(_ partial: LastPartial<Order>, output: Int) -> WindowValue {
        partial.count > 0 ? WindowValue(bits: partial.value, isNull: false) : .null
    }
}

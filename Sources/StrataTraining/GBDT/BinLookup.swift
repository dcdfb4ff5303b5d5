/// A fast exact lookup of bins: the span of the bounds cut into equal cells, each holding a bin
/// at or below that of any value in it, from which a short forward walk finds the bin.
struct BinLookup {
    let mapper: BinMapper
    private let low: Double
    private let scale: Double
    private let cells: [UInt8]

    init(_ mapper: BinMapper) {
        self.mapper = mapper
        let bounds = mapper.upperBounds
        guard let first = bounds.first, let last = bounds.last, last > first else {
            low = 0
            scale = 0
            cells = [0]
            return
        }
        let count = 4 * bounds.count
        let span = last - first
        low = first
        scale = span.isFinite ? Double(count) / span : 0
        var cells = [UInt8](repeating: 0, count: count + 1)
        if scale > 0 {
            for c in 0...count {
                // The left end of the previous cell: a lower bound on any value mapped to cell c.
                let start = first + Double(Swift.max(c - 1, 0)) / scale
                cells[c] = UInt8(mapper.bin(start))
            }
        }
        self.cells = cells
    }

    /// Bins `values` into `out`.
    /// - Complexity: O(count), a few steps per value.
    func bin(_ values: UnsafeBufferPointer<Double>, into out: UnsafeMutablePointer<UInt8>) {
        let bounds = mapper.upperBounds
        let missing = UInt8(mapper.missingBin)
        let boundCount = bounds.count
        bounds.withUnsafeBufferPointer { b in
            cells.withUnsafeBufferPointer { cell in
                let lastCell = cell.count - 1
                for i in 0..<values.count {
                    let x = values[i]
                    if x.isNaN {
                        out[i] = missing
                        continue
                    }
                    // ±Infinity make `position` infinite, or NaN when the scale is 0: only a
                    // position strictly inside the cells is converted to Int; the walk below does the rest.
                    let position = (x - low) * scale
                    let c = position > 0 ? (position < Double(lastCell) ? Int(position) : lastCell) : 0
                    var bin = Int(cell[c])
                    while bin < boundCount && x > b[bin] { bin += 1 }
                    out[i] = UInt8(truncatingIfNeeded: bin)
                }
            }
        }
    }
}

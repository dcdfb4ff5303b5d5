/// A dense `Double` matrix of several numeric columns, nulls as NaN, for training kernels.
public struct NumericMatrix: Sendable, Equatable {
    /// How the cells are laid out in `values`.
    public enum Layout: Sendable, Hashable {
        /// Row after row: cell (r, c) at `r * columnCount + c`.
        case rowMajor
        /// Column after column: cell (r, c) at `c * rowCount + r`.
        case columnMajor
    }

    /// The number of rows.
    public let rowCount: Int
    /// The number of columns.
    public let columnCount: Int
    /// The layout of `values`.
    public let layout: Layout
    /// The cells, `rowCount * columnCount` of them, in `layout` order.
    public let values: [Double]

    /// Converts numeric columns of equal length (any type but `string`) into one matrix.
    /// - Complexity: O(rows × columns); runs on all cores for large inputs.
    public init(columns: [Column], layout: Layout = .rowMajor) {
        let rows = columns.first?.count ?? 0
        for column in columns {
            precondition(column.count == rows, "Matrix columns differ in length: \(column.count) and \(rows)")
            precondition(column.type.isNumeric, "A matrix needs numeric columns, got \(column.type)")
        }
        let width = columns.count
        rowCount = rows
        columnCount = width
        self.layout = layout
        values = [Double](uninitializedCount: rows * width) { cells, initialized in
            if let base = cells.baseAddress {
                let shared = UncheckedSendable(value: base)
                Parallel.forEachChunk(count: rows, grain: 1 << 14) { range in
                    for (c, column) in columns.enumerated() {
                        let (start, stride) =
                            layout == .rowMajor ? (range.lowerBound * width + c, width) : (c * rows + range.lowerBound, 1)
                        column.visitNumeric(
                            MatrixFillVisitor(range: range, destination: shared.value + start, stride: stride))
                    }
                }
            }
            initialized = rows * width
        }
    }

    /// Converts the named columns of `frame` (all of them when `names` is nil) into one matrix.
    /// - Complexity: O(rows × columns).
    public init(frame: Frame, columns names: [String]? = nil, layout: Layout = .rowMajor) {
        self.init(columns: (names.map { frame.selecting($0) } ?? frame).columns, layout: layout)
    }

    /// The cell at `row`, `column`.
    public subscript(row: Int, column: Int) -> Double {
        precondition(row >= 0 && row < rowCount && column >= 0 && column < columnCount,
                     "Cell (\(row), \(column)) out of a \(rowCount)×\(columnCount) matrix")
        return layout == .rowMajor ? values[row * columnCount + column] : values[column * rowCount + row]
    }

    /// Whether two matrices have the same shape, layout and cells, NaN matching NaN.
    public static func == (lhs: NumericMatrix, rhs: NumericMatrix) -> Bool {
        lhs.rowCount == rhs.rowCount && lhs.columnCount == rhs.columnCount && lhs.layout == rhs.layout
            && zip(lhs.values, rhs.values).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) }
    }
}

/// Writes the rows of `range` as `Double` (NaN for nulls) to `destination`, `stride` apart.
private struct MatrixFillVisitor: NumericVisitor {
    let range: Range<Int>
    let destination: UnsafeMutablePointer<Double>
    let stride: Int

    func visit<T: NumericElement>(_ values: UnsafeBufferPointer<T>, validity: UnsafeBufferPointer<UInt64>?) {
        var out = destination
        for i in range {
            let valid = validity.map { ($0[i >> 6] >> UInt64(i & 63)) & 1 != 0 } ?? true
            out.initialize(to: valid ? values[i].doubleValue : .nan)
            out += stride
        }
    }
}

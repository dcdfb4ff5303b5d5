/// A stored value type that converts to `Double`: the element types of numeric columns.
protocol NumericElement: BitwiseCopyable {
    /// The value as `Double` (bools as 0 and 1).
    var doubleValue: Double { get }
}

extension Double: NumericElement {
    @inline(__always) var doubleValue: Double { self }
}

extension Float: NumericElement {
    @inline(__always) var doubleValue: Double { Double(self) }
}

extension Int64: NumericElement {
    @inline(__always) var doubleValue: Double { Double(self) }
}

extension Int32: NumericElement {
    @inline(__always) var doubleValue: Double { Double(self) }
}

extension Bool: NumericElement {
    @inline(__always) var doubleValue: Double { self ? 1 : 0 }
}

/// A kernel over the typed buffer of a numeric column, specialised per element type.
protocol NumericVisitor {
    associatedtype Result
    /// Runs the kernel; `validity` is nil when every row holds a value.
    func visit<T: NumericElement>(_ values: UnsafeBufferPointer<T>, validity: UnsafeBufferPointer<UInt64>?) -> Result
}

extension Column {
    /// Runs `visitor` on this column's typed values; traps on a `string` column.
    func visitNumeric<V: NumericVisitor>(_ visitor: V) -> V.Result {
        let words = validity?.words ?? []
        let hasNulls = validity != nil
        return words.withUnsafeBufferPointer { w in
            let validity = hasNulls ? w : nil
            switch storage {
            case .float64(let v): return v.withUnsafeBufferPointer { visitor.visit($0, validity: validity) }
            case .float32(let v): return v.withUnsafeBufferPointer { visitor.visit($0, validity: validity) }
            case .int64(let v), .timestamp(let v):
                return v.withUnsafeBufferPointer { visitor.visit($0, validity: validity) }
            case .int32(let v): return v.withUnsafeBufferPointer { visitor.visit($0, validity: validity) }
            case .bool(let v): return v.withUnsafeBufferPointer { visitor.visit($0, validity: validity) }
            case .string: typeMismatch(.float64)
            }
        }
    }
}

/// Iteration over the rows of a range that hold a value.
enum ValidRows {
    /// Calls `body` with each value in `range` whose validity bit is set (every value when
    /// `validity` is nil), in row order.
    @inline(__always)
    static func forEach<T>(
        _ values: UnsafeBufferPointer<T>, _ validity: UnsafeBufferPointer<UInt64>?, in range: Range<Int>,
        _ body: (T) -> Void
    ) {
        guard let validity else {
            for i in range { body(values[i]) }
            return
        }
        var i = range.lowerBound
        while i < range.upperBound {
            let end = Swift.min((i & ~63) + 64, range.upperBound)
            let width = end - i
            let mask: UInt64 = width == 64 ? ~0 : (1 << UInt64(width)) &- 1
            var word = (validity[i >> 6] >> UInt64(i & 63)) & mask
            if word == mask {
                for k in i..<end { body(values[k]) }
            } else {
                while word != 0 {
                    body(values[i + word.trailingZeroBitCount])
                    word &= word &- 1
                }
            }
            i = end
        }
    }
}

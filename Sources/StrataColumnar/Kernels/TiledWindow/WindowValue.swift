/// The value of one aggregate: a 64-bit pattern read by the aggregate's output type, or null.
public struct WindowValue: Sendable, Hashable {
    /// The value's bits: an `Int64` for `count`, a `Double` for `sum`, `mean` and `stddev`, and for
    /// `min`, `max` and `last` a `Double` or an `Int64` by the layout's value kind.
    public var bits: UInt64
    /// Whether the value is null (no non-null value in the window).
    public var isNull: Bool

    public init(bits: UInt64, isNull: Bool) {
        self.bits = bits
        self.isNull = isNull
    }

    /// The null value.
    public static let null = WindowValue(bits: 0, isNull: true)

    /// A non-null `Double`.
    @inline(__always)
    static func double(_ value: Double) -> WindowValue { WindowValue(bits: value.bitPattern, isNull: false) }

    /// A non-null `Int64`.
    @inline(__always)
    static func integer(_ value: Int64) -> WindowValue { WindowValue(bits: UInt64(bitPattern: value), isNull: false) }
}

/// Builds the result column of one aggregate from its values, row by row.
struct WindowColumnBuilder {
    let type: ColumnType
    var bits: [UInt64]
    var valid: [Bool]

    /// `rows` rows of `initial`.
    init(type: ColumnType, rows: Int, initial: WindowValue) {
        self.type = type
        bits = [UInt64](repeating: initial.bits, count: rows)
        valid = [Bool](repeating: !initial.isNull, count: rows)
    }

    @inline(__always)
    mutating func set(_ row: Int, _ value: WindowValue) {
        bits[row] = value.bits
        valid[row] = !value.isNull
    }

    /// The column, its values converted from bits to `type`.
    func finish() -> Column {
        let validity = valid.allSatisfy { $0 } ? nil : Bitmap(valid)
        switch type {
        case .float64: return Column(float64: bits.map { Double(bitPattern: $0) }, validity: validity)
        case .float32: return Column(float32: bits.map { Float(Double(bitPattern: $0)) }, validity: validity)
        case .int64: return Column(int64: bits.map { Int64(bitPattern: $0) }, validity: validity)
        case .int32: return Column(int32: bits.map { Int32(truncatingIfNeeded: Int64(bitPattern: $0)) }, validity: validity)
        case .timestamp: return Column(timestamp: bits.map { Int64(bitPattern: $0) }, validity: validity)
        case .bool: return Column(bool: bits.map { $0 != 0 }, validity: validity)
        case .string: preconditionFailure("Aggregates have no string results")
        }
    }
}

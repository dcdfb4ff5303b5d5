/// Builds one column by appending values, as decoders that stream rows do.
///
/// Appends are amortised O(1) with no per-value allocation; the validity bitmap is only
/// materialised when the first null arrives. Appending a value of another type than the
/// builder's is a programming error and traps.
public struct ColumnBuilder: Sendable {
    /// The type of the column being built.
    public let type: ColumnType
    /// The number of rows appended so far.
    public var count: Int { rows }

    @usableFromInline var rows = 0

    @usableFromInline var doubles: [Double] = []
    @usableFromInline var floats: [Float] = []
    @usableFromInline var int64s: [Int64] = []
    @usableFromInline var int32s: [Int32] = []
    @usableFromInline var bools: [Bool] = []
    @usableFromInline var bytes: [UInt8] = []
    @usableFromInline var offsets: [Int] = []
    @usableFromInline var validity: Bitmap?

    /// Creates a builder for `type`, with room for `capacity` rows.
    public init(type: ColumnType, capacity: Int = 0) {
        self.type = type
        if type == .string { offsets.append(0) }
        reserveCapacity(capacity)
    }

    /// Reserves room for `rows` rows in total and, for strings, `stringBytes` bytes in total.
    public mutating func reserveCapacity(_ rows: Int, stringBytes: Int = 0) {
        switch type {
        case .float64: doubles.reserveCapacity(rows)
        case .float32: floats.reserveCapacity(rows)
        case .int64, .timestamp: int64s.reserveCapacity(rows)
        case .int32: int32s.reserveCapacity(rows)
        case .bool: bools.reserveCapacity(rows)
        case .string:
            offsets.reserveCapacity(rows + 1)
            bytes.reserveCapacity(stringBytes)
        }
        validity?.reserveCapacity(rows)
    }

    /// Appends a null.
    public mutating func appendNull() {
        if validity == nil {
            var bits = Bitmap(count: count, repeating: true)
            bits.reserveCapacity(Swift.max(count + 1, storageCapacity))
            validity = bits
        }
        validity!.append(false)
        switch type {
        case .float64: doubles.append(0)
        case .float32: floats.append(0)
        case .int64, .timestamp: int64s.append(0)
        case .int32: int32s.append(0)
        case .bool: bools.append(false)
        case .string: offsets.append(bytes.count)
        }
        rows += 1
    }

    /// Appends a `float64` value.
    @inlinable
    public mutating func append(_ value: Double) {
        check(.float64)
        doubles.append(value)
        appended()
    }

    /// Appends a `float32` value.
    @inlinable
    public mutating func append(_ value: Float) {
        check(.float32)
        floats.append(value)
        appended()
    }

    /// Appends an `int64` value.
    @inlinable
    public mutating func append(_ value: Int64) {
        check(.int64)
        int64s.append(value)
        appended()
    }

    /// Appends an `int32` value.
    @inlinable
    public mutating func append(_ value: Int32) {
        check(.int32)
        int32s.append(value)
        appended()
    }

    /// Appends a `bool` value.
    @inlinable
    public mutating func append(_ value: Bool) {
        check(.bool)
        bools.append(value)
        appended()
    }

    /// Appends a `timestamp` value in microseconds since the Unix epoch, UTC.
    @inlinable
    public mutating func appendTimestamp(_ micros: Int64) {
        check(.timestamp)
        int64s.append(micros)
        appended()
    }

    /// Appends a `string` value given as UTF-8 bytes (copied; not validated).
    public mutating func appendString(bytes value: UnsafeRawBufferPointer) {
        check(.string)
        bytes.append(contentsOf: value)
        offsets.append(bytes.count)
        appended()
    }

    /// Appends a `string` value.
    public mutating func appendString(_ value: String) {
        check(.string)
        var value = value
        value.withUTF8 { bytes.append(contentsOf: $0) }
        offsets.append(bytes.count)
        appended()
    }

    /// The finished column; the builder can go on appending afterwards.
    /// - Complexity: O(count / 64) to inspect the bitmap; the value arrays are shared, not copied.
    public func finish() -> Column {
        let storage: Column.Storage
        switch type {
        case .float64: storage = .float64(doubles)
        case .float32: storage = .float32(floats)
        case .int64: storage = .int64(int64s)
        case .int32: storage = .int32(int32s)
        case .bool: storage = .bool(bools)
        case .timestamp: storage = .timestamp(int64s)
        case .string: storage = .string(bytes: bytes, offsets: offsets)
        }
        return Column(storage: storage, validity: validity)
    }

    private var storageCapacity: Int {
        switch type {
        case .float64: doubles.capacity
        case .float32: floats.capacity
        case .int64, .timestamp: int64s.capacity
        case .int32: int32s.capacity
        case .bool: bools.capacity
        case .string: offsets.capacity - 1
        }
    }

    @inlinable @inline(__always)
    func check(_ expected: ColumnType) {
        precondition(type == expected, "Cannot append a \(expected) value to a \(type) column builder")
    }

    @inlinable @inline(__always)
    mutating func appended() {
        validity?.append(true)
        rows += 1
    }
}

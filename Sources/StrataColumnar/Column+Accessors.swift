extension Column {
    /// The `float64` values (unspecified under nulls).
    public var float64Values: [Double] {
        guard case .float64(let v) = storage else { typeMismatch(.float64) }
        return v
    }

    /// The `float32` values (unspecified under nulls).
    public var float32Values: [Float] {
        guard case .float32(let v) = storage else { typeMismatch(.float32) }
        return v
    }

    /// The `int64` values (unspecified under nulls).
    public var int64Values: [Int64] {
        guard case .int64(let v) = storage else { typeMismatch(.int64) }
        return v
    }

    /// The `int32` values (unspecified under nulls).
    public var int32Values: [Int32] {
        guard case .int32(let v) = storage else { typeMismatch(.int32) }
        return v
    }

    /// The `bool` values (unspecified under nulls).
    public var boolValues: [Bool] {
        guard case .bool(let v) = storage else { typeMismatch(.bool) }
        return v
    }

    /// The `timestamp` values in microseconds since the epoch (unspecified under nulls).
    public var timestampValues: [Int64] {
        guard case .timestamp(let v) = storage else { typeMismatch(.timestamp) }
        return v
    }

    /// The `int64` or `timestamp` values, for kernels that treat both as integers.
    public var integerValues: [Int64] {
        switch storage {
        case .int64(let v), .timestamp(let v): return v
        default: typeMismatch(.int64)
        }
    }

    /// Calls `body` with the string bytes and the `count + 1` offsets of a `string` column.
    public func withStringStorage<R>(
        _ body: (UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<Int>) throws -> R
    ) rethrows -> R {
        guard case .string(let bytes, let offsets) = storage else { typeMismatch(.string) }
        return try bytes.withUnsafeBufferPointer { b in
            try offsets.withUnsafeBufferPointer { o in try body(b, o) }
        }
    }

    /// The value at `index` of a `float64` column, `nil` if null.
    public func float64(at index: Int) -> Double? { isNull(index) ? nil : float64Values[index] }

    /// The value at `index` of a `float32` column, `nil` if null.
    public func float32(at index: Int) -> Float? { isNull(index) ? nil : float32Values[index] }

    /// The value at `index` of an `int64` column, `nil` if null.
    public func int64(at index: Int) -> Int64? { isNull(index) ? nil : int64Values[index] }

    /// The value at `index` of an `int32` column, `nil` if null.
    public func int32(at index: Int) -> Int32? { isNull(index) ? nil : int32Values[index] }

    /// The value at `index` of a `bool` column, `nil` if null.
    public func bool(at index: Int) -> Bool? { isNull(index) ? nil : boolValues[index] }

    /// The microseconds at `index` of a `timestamp` column, `nil` if null.
    public func timestamp(at index: Int) -> Int64? { isNull(index) ? nil : timestampValues[index] }

    /// The value at `index` of any numeric column as `Double` (bools as 0 and 1), `nil` if null.
    public func double(at index: Int) -> Double? {
        if isNull(index) { return nil }
        switch storage {
        case .float64(let v): return v[index]
        case .float32(let v): return Double(v[index])
        case .int64(let v), .timestamp(let v): return Double(v[index])
        case .int32(let v): return Double(v[index])
        case .bool(let v): return v[index] ? 1 : 0
        case .string: typeMismatch(.float64)
        }
    }

    /// The UTF-8 bytes at `index` of a `string` column, `nil` if null.
    public func stringBytes(at index: Int) -> ArraySlice<UInt8>? {
        guard case .string(let bytes, let offsets) = storage else { typeMismatch(.string) }
        return isNull(index) ? nil : bytes[offsets[index]..<offsets[index + 1]]
    }

    /// The value at `index` of a `string` column, `nil` if null; invalid UTF-8 is repaired.
    public func string(at index: Int) -> String? {
        stringBytes(at: index).map { String(decoding: $0, as: UTF8.self) }
    }

    func typeMismatch(_ expected: ColumnType) -> Never {
        preconditionFailure("Expected a \(expected) column, got \(type)")
    }
}

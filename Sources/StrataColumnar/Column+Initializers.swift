extension Column {
    /// Creates a `float64` column; `validity` nil means no nulls.
    public init(float64 values: [Double], validity: Bitmap? = nil) {
        self.init(storage: .float64(values), validity: validity)
    }

    /// Creates a `float32` column; `validity` nil means no nulls.
    public init(float32 values: [Float], validity: Bitmap? = nil) {
        self.init(storage: .float32(values), validity: validity)
    }

    /// Creates an `int64` column; `validity` nil means no nulls.
    public init(int64 values: [Int64], validity: Bitmap? = nil) {
        self.init(storage: .int64(values), validity: validity)
    }

    /// Creates an `int32` column; `validity` nil means no nulls.
    public init(int32 values: [Int32], validity: Bitmap? = nil) {
        self.init(storage: .int32(values), validity: validity)
    }

    /// Creates a `bool` column; `validity` nil means no nulls.
    public init(bool values: [Bool], validity: Bitmap? = nil) {
        self.init(storage: .bool(values), validity: validity)
    }

    /// Creates a `timestamp` column from microseconds since the epoch; `validity` nil means no nulls.
    public init(timestamp micros: [Int64], validity: Bitmap? = nil) {
        self.init(storage: .timestamp(micros), validity: validity)
    }

    /// Creates a `string` column; `validity` nil means no nulls.
    public init(string values: [String], validity: Bitmap? = nil) {
        var builder = ColumnBuilder(type: .string, capacity: values.count)
        for value in values { builder.appendString(value) }
        self.init(storage: builder.finish().storage, validity: validity)
    }

    /// Creates a `float64` column, `nil` elements being nulls.
    public init(float64 values: [Double?]) {
        self.init(storage: .float64(values.map { $0 ?? 0 }), validity: Column.validity(of: values))
    }

    /// Creates a `float32` column, `nil` elements being nulls.
    public init(float32 values: [Float?]) {
        self.init(storage: .float32(values.map { $0 ?? 0 }), validity: Column.validity(of: values))
    }

    /// Creates an `int64` column, `nil` elements being nulls.
    public init(int64 values: [Int64?]) {
        self.init(storage: .int64(values.map { $0 ?? 0 }), validity: Column.validity(of: values))
    }

    /// Creates an `int32` column, `nil` elements being nulls.
    public init(int32 values: [Int32?]) {
        self.init(storage: .int32(values.map { $0 ?? 0 }), validity: Column.validity(of: values))
    }

    /// Creates a `bool` column, `nil` elements being nulls.
    public init(bool values: [Bool?]) {
        self.init(storage: .bool(values.map { $0 ?? false }), validity: Column.validity(of: values))
    }

    /// Creates a `timestamp` column from microseconds since the epoch, `nil` elements being nulls.
    public init(timestamp micros: [Int64?]) {
        self.init(storage: .timestamp(micros.map { $0 ?? 0 }), validity: Column.validity(of: micros))
    }

    /// Creates a `string` column, `nil` elements being nulls.
    public init(string values: [String?]) {
        var builder = ColumnBuilder(type: .string, capacity: values.count)
        for value in values {
            if let value { builder.appendString(value) } else { builder.appendNull() }
        }
        self = builder.finish()
    }

    private static func validity<T>(of values: [T?]) -> Bitmap? {
        guard values.contains(where: { $0 == nil }) else { return nil }
        return Bitmap(values.map { $0 != nil })
    }
}

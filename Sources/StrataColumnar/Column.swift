/// A column of values of one type in contiguous storage, with an optional validity bitmap.
///
/// Values under null rows are unspecified (builders and kernels write zero or an empty string),
/// so kernels read them freely and mask with `validity`. Strings are stored Arrow-style: all bytes
/// in one buffer and `count + 1` offsets, row `i` being `bytes[offsets[i]..<offsets[i + 1]]`.
/// `Column` is a value type; its arrays are copy-on-write.
public struct Column: Sendable {
    /// The typed contiguous storage of a column.
    public enum Storage: Sendable {
        /// `float64` values.
        case float64([Double])
        /// `float32` values.
        case float32([Float])
        /// `int64` values.
        case int64([Int64])
        /// `int32` values.
        case int32([Int32])
        /// `bool` values, one byte each.
        case bool([Bool])
        /// UTF-8 bytes of all rows back to back, and `count + 1` non-decreasing offsets into them.
        case string(bytes: [UInt8], offsets: [Int])
        /// `timestamp` values: microseconds since the Unix epoch, UTC.
        case timestamp([Int64])
    }

    /// The values.
    public let storage: Storage
    /// Which rows hold a value; `nil` means every row does.
    public let validity: Bitmap?
    /// The number of rows.
    public let count: Int

    /// Creates a column from storage and validity; an all-set bitmap is stored as `nil`.
    ///
    /// String offsets must not decrease; only their first and last are checked here.
    /// - Complexity: O(count / 64) to inspect the bitmap.
    public init(storage: Storage, validity: Bitmap? = nil) {
        let n: Int
        switch storage {
        case .float64(let v): n = v.count
        case .float32(let v): n = v.count
        case .int64(let v): n = v.count
        case .int32(let v): n = v.count
        case .bool(let v): n = v.count
        case .timestamp(let v): n = v.count
        case .string(let bytes, let offsets):
            precondition(
                offsets.first == 0 && offsets.last == bytes.count,
                "String offsets must start at 0 and end at the byte count \(bytes.count)")
            n = offsets.count - 1
        }
        if let validity {
            precondition(validity.count == n, "Validity has \(validity.count) bits for \(n) rows")
        }
        self.storage = storage
        self.count = n
        self.validity = (validity?.isAllSet ?? true) ? nil : validity
    }

    /// The type of the values.
    public var type: ColumnType {
        switch storage {
        case .float64: .float64
        case .float32: .float32
        case .int64: .int64
        case .int32: .int32
        case .bool: .bool
        case .string: .string
        case .timestamp: .timestamp
        }
    }

    /// The number of null rows.
    /// - Complexity: O(count / 64).
    public var nullCount: Int { validity.map { $0.count - $0.setCount } ?? 0 }

    /// The number of rows holding a value.
    /// - Complexity: O(count / 64).
    public var validCount: Int { count - nullCount }

    /// Whether row `index` is null.
    @inlinable
    public func isNull(_ index: Int) -> Bool {
        precondition(index >= 0 && index < count, "Row \(index) out of range 0..<\(count)")
        guard let validity else { return false }
        return !validity[index]
    }

    /// Whether row `index` holds a value.
    @inlinable
    public func isValid(_ index: Int) -> Bool { !isNull(index) }

    /// A column of `count` nulls of `type`.
    public static func nulls(_ type: ColumnType, count: Int) -> Column {
        let storage: Storage
        switch type {
        case .float64: storage = .float64(Array(repeating: 0, count: count))
        case .float32: storage = .float32(Array(repeating: 0, count: count))
        case .int64: storage = .int64(Array(repeating: 0, count: count))
        case .int32: storage = .int32(Array(repeating: 0, count: count))
        case .bool: storage = .bool(Array(repeating: false, count: count))
        case .timestamp: storage = .timestamp(Array(repeating: 0, count: count))
        case .string: storage = .string(bytes: [], offsets: Array(repeating: 0, count: count + 1))
        }
        return Column(storage: storage, validity: Bitmap(count: count, repeating: false))
    }

    /// An empty column of `type`.
    public static func empty(_ type: ColumnType) -> Column { nulls(type, count: 0) }
}

extension Column: Equatable {
    /// Whether two columns have the same type, length, nulls and values at non-null rows.
    ///
    /// Floating-point values compare with `==`, so a NaN value never equals itself.
    /// - Complexity: O(count).
    public static func == (lhs: Column, rhs: Column) -> Bool {
        guard lhs.type == rhs.type, lhs.count == rhs.count, lhs.validity == rhs.validity else {
            return false
        }
        func same<T: Equatable>(_ a: [T], _ b: [T]) -> Bool {
            for i in 0..<a.count where lhs.isValid(i) && a[i] != b[i] { return false }
            return true
        }
        switch (lhs.storage, rhs.storage) {
        case (.float64(let a), .float64(let b)): return same(a, b)
        case (.float32(let a), .float32(let b)): return same(a, b)
        case (.int64(let a), .int64(let b)): return same(a, b)
        case (.int32(let a), .int32(let b)): return same(a, b)
        case (.bool(let a), .bool(let b)): return same(a, b)
        case (.timestamp(let a), .timestamp(let b)): return same(a, b)
        case (.string, .string):
            for i in 0..<lhs.count where lhs.isValid(i) && lhs.stringBytes(at: i) != rhs.stringBytes(at: i) {
                return false
            }
            return true
        default: return false
        }
    }
}

extension Column: CustomStringConvertible {
    /// A short summary: type, row count and null count.
    public var description: String { "Column(\(type), count: \(count), nulls: \(nullCount))" }
}

import StrataColumnar

/// Typed values read straight from a record's bytes, without a string per field: what makes the
/// readers of large files typed.
extension CSVRecord {
    /// Field `index` as an integer, spaces and tabs around it ignored; nil when null, empty, not an
    /// integer or out of Int64's range.
    public func int64(_ index: Int) -> Int64? {
        withBytes(index) { Self.int64(Self.trimmed($0)) }
    }

    /// Field `index` as an ISO-8601 time (`UTCTimestamp.parse`), spaces and tabs around it ignored;
    /// nil when null or not a time.
    public func timestamp(_ index: Int) -> Int64? {
        withBytes(index) { bytes in
            let trimmed = Self.trimmed(bytes)
            return trimmed.isEmpty ? nil : UTCTimestamp.parse(bytes: trimmed)
        }
    }

    /// Field `index` as text with spaces and tabs around it removed; nil when null.
    public func trimmedString(_ index: Int) -> String? {
        isNull(index) ? nil : withBytes(index) { String(decoding: Self.trimmed($0), as: UTF8.self) }
    }

    /// Appends field `index` to a string column: its exact bytes, or null.
    public func appendString(_ index: Int, to builder: inout ColumnBuilder) {
        if isNull(index) {
            builder.appendNull()
        } else {
            withBytes(index) { builder.appendString(bytes: $0) }
        }
    }

    static func trimmed(_ bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        var lower = 0
        var upper = bytes.count
        while lower < upper, bytes[lower] == 32 || bytes[lower] == 9 { lower += 1 }
        while upper > lower, bytes[upper - 1] == 32 || bytes[upper - 1] == 9 { upper -= 1 }
        return UnsafeRawBufferPointer(rebasing: bytes[lower..<upper])
    }

    static func int64(_ bytes: UnsafeRawBufferPointer) -> Int64? {
        var i = 0
        var negative = false
        if i < bytes.count, bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") {
            negative = bytes[i] == UInt8(ascii: "-")
            i += 1
        }
        guard i < bytes.count else { return nil }
        // Accumulated negatively, so that Int64.min parses.
        var value: Int64 = 0
        while i < bytes.count {
            let digit = bytes[i] &- 48
            guard digit < 10 else { return nil }
            let (shifted, overflow) = value.multipliedReportingOverflow(by: 10)
            let (next, underflow) = shifted.subtractingReportingOverflow(Int64(digit))
            guard !overflow, !underflow else { return nil }
            value = next
            i += 1
        }
        if negative { return value }
        return value == .min ? nil : -value
    }
}

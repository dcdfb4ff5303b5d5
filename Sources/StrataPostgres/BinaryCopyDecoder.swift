import StrataColumnar

/// Decodes PostgreSQL's binary COPY format into column builders, one CopyData message at a time.
///
/// A state machine with one owner: feed it each message in order; it skips the file header, decodes
/// tuples straight into `ColumnBuilder`s (no per-value objects) and notices the trailer.
public struct BinaryCopyDecoder {
    public let columns: [CopyColumn]
    public private(set) var builders: [ColumnBuilder]
    public private(set) var rows = 0
    public private(set) var finished = false
    var headerDone = false

    static let signature: [UInt8] = [0x50, 0x47, 0x43, 0x4F, 0x50, 0x59, 0x0A, 0xFF, 0x0D, 0x0A, 0x00]
    /// Microseconds between the Unix epoch and PostgreSQL's epoch, 2000-01-01.
    static let postgresEpochMicros: Int64 = 946_684_800_000_000

    public init(columns: [CopyColumn], capacity: Int = 0) {
        self.columns = columns
        builders = columns.map { ColumnBuilder(type: $0.type, capacity: capacity) }
    }

    /// Takes the columns built so far and starts new, empty ones (for batch-wise streaming).
    public mutating func takeColumns() -> [Column] {
        let built = builders.map { $0.finish() }
        builders = columns.map { ColumnBuilder(type: $0.type, capacity: built.first?.count ?? 0) }
        return built
    }

    /// Decodes one CopyData message.
    /// - Complexity: O(bytes in the message).
    public mutating func feed(_ message: UnsafeRawBufferPointer) throws {
        var reader = ByteReader(message)
        if !headerDone {
            guard reader.remaining >= 19, Array(reader.take(11)) == Self.signature else {
                throw PostgresError(code: .protocolError, message: "binary COPY stream does not start with PGCOPY's signature")
            }
            _ = reader.int32()
            let extensionLength = Int(reader.int32())
            guard extensionLength >= 0, reader.remaining >= extensionLength else {
                throw PostgresError(code: .protocolError, message: "binary COPY header is truncated")
            }
            _ = reader.take(extensionLength)
            headerDone = true
        }
        while reader.remaining > 0 {
            guard reader.remaining >= 2 else { throw truncated() }
            let fieldCount = Int(reader.int16())
            if fieldCount == -1 {
                finished = true
                return
            }
            guard fieldCount == columns.count else {
                throw PostgresError(
                    code: .protocolError,
                    message: "binary COPY row has \(fieldCount) fields; expected \(columns.count)")
            }
            for c in 0..<fieldCount {
                guard reader.remaining >= 4 else { throw truncated() }
                let length = Int(reader.int32())
                if length < 0 {
                    builders[c].appendNull()
                    continue
                }
                guard reader.remaining >= length else { throw truncated() }
                let field = reader.take(length)
                try decode(field, column: c)
            }
            rows += 1
        }
    }

    func truncated() -> PostgresError {
        PostgresError(code: .protocolError, message: "binary COPY row is truncated after \(rows) rows")
    }

    mutating func decode(_ field: UnsafeRawBufferPointer, column c: Int) throws {
        let spec = columns[c]
        var r = ByteReader(field)
        switch spec.wire {
        case .int2:
            try check(field.count, 2, c)
            try appendInteger(Int64(r.int16()), column: c)
        case .int4:
            try check(field.count, 4, c)
            try appendInteger(Int64(r.int32()), column: c)
        case .int8:
            try check(field.count, 8, c)
            try appendInteger(r.int64(), column: c)
        case .float4:
            try check(field.count, 4, c)
            try appendFloating(Double(Float(bitPattern: UInt32(bitPattern: r.int32()))), column: c)
        case .float8:
            try check(field.count, 8, c)
            try appendFloating(Double(bitPattern: UInt64(bitPattern: r.int64())), column: c)
        case .numeric:
            try appendFloating(try Self.numeric(field), column: c)
        case .bool:
            try check(field.count, 1, c)
            try appendBool(field[0] != 0, column: c)
        case .text:
            guard spec.type == .string else { throw mismatch(c) }
            builders[c].appendString(bytes: field)
        case .timestamptz:
            try check(field.count, 8, c)
            try appendTime(Self.unixMicros(postgresMicros: r.int64()), column: c)
        case .date:
            try check(field.count, 4, c)
            let days = r.int32()
            if days == .max || days == .min {
                try appendTime(days == .max ? .max : .min, column: c)
            } else {
                try appendTime(
                    Self.unixMicros(postgresMicros: UTCTimestamp.micros(seconds: Int64(days) * 86_400)), column: c)
            }
        }
    }

    /// A PostgreSQL timestamp (µs since 2000-01-01) as µs since the Unix epoch. PostgreSQL's ±infinity
    /// (Int64.max and Int64.min) stay as they are, and the few centuries of PostgreSQL's range that lie
    /// past Int64's microseconds (after 294247-01-10, dates up to 5874897) saturate to them.
    static func unixMicros(postgresMicros raw: Int64) -> Int64 {
        raw == .max || raw == .min ? raw : UTCTimestamp.adding(postgresEpochMicros, to: raw)
    }

    func check(_ length: Int, _ expected: Int, _ c: Int) throws {
        guard length == expected else {
            throw PostgresError(
                code: .protocolError,
                message: "binary COPY column \(c + 1) (\(columns[c].wire.rawValue)) has \(length) bytes; expected \(expected)")
        }
    }

    func mismatch(_ c: Int) -> PostgresError {
        PostgresError(
            code: .typeMismatch,
            message: "binary COPY column \(c + 1): \(columns[c].wire.rawValue) cannot be read as \(columns[c].type.rawValue)")
    }

    mutating func appendInteger(_ v: Int64, column c: Int) throws {
        switch columns[c].type {
        case .int64: builders[c].append(v)
        case .int32:
            guard let narrow = Int32(exactly: v) else {
                throw PostgresError(code: .typeMismatch, message: "value \(v) of column \(c + 1) does not fit int32")
            }
            builders[c].append(narrow)
        case .float64: builders[c].append(Double(v))
        case .float32: builders[c].append(Float(v))
        case .timestamp: builders[c].appendTimestamp(v)
        case .bool, .string: throw mismatch(c)
        }
    }

    mutating func appendFloating(_ v: Double, column c: Int) throws {
        switch columns[c].type {
        case .float64: builders[c].append(v)
        case .float32: builders[c].append(Float(v))
        default: throw mismatch(c)
        }
    }

    mutating func appendBool(_ v: Bool, column c: Int) throws {
        guard columns[c].type == .bool else { throw mismatch(c) }
        builders[c].append(v)
    }

    mutating func appendTime(_ micros: Int64, column c: Int) throws {
        switch columns[c].type {
        case .timestamp: builders[c].appendTimestamp(micros)
        case .int64: builders[c].append(micros)
        default: throw mismatch(c)
        }
    }

    /// A numeric's value as the nearest double: base-10000 digits, a weight and a sign.
    /// Up to 15 significant digits with an exponent a double holds exactly, it is one correctly
    /// rounded multiplication or division; otherwise the decimal text is parsed.
    static func numeric(_ field: UnsafeRawBufferPointer) throws -> Double {
        var r = ByteReader(field)
        guard field.count >= 8 else { throw PostgresError(code: .protocolError, message: "numeric value is truncated") }
        let digitCount = Int(r.int16())
        let weight = Int(r.int16())
        let sign = UInt16(bitPattern: r.int16())
        _ = r.int16()
        if sign == 0xC000 { return .nan }
        if sign == 0xD000 { return .infinity }
        if sign == 0xF000 { return -.infinity }
        guard digitCount >= 0, field.count >= 8 + 2 * digitCount else {
            throw PostgresError(code: .protocolError, message: "numeric value is truncated")
        }
        guard sign == 0x0000 || sign == 0x4000 else {
            throw PostgresError(code: .protocolError, message: "numeric value has an unknown sign word \(String(sign, radix: 16))")
        }
        for k in 0..<digitCount {
            let digit = Int16(bigEndian: field.loadUnaligned(fromByteOffset: 8 + 2 * k, as: Int16.self))
            guard (0...9999).contains(digit) else {
                throw PostgresError(code: .protocolError, message: "numeric value has a base-10000 digit \(digit) out of 0...9999")
            }
        }
        if digitCount == 0 { return 0 }
        let negative = sign == 0x4000
        // The value is (the base-10000 digits read as one integer) × 10^exponent.
        let exponent = 4 * (weight - digitCount + 1)
        if digitCount <= 3, abs(exponent) <= 22 {
            var mantissa: UInt64 = 0
            for _ in 0..<digitCount { mantissa = mantissa * 10_000 + UInt64(r.int16()) }
            let magnitude = exponent >= 0
                ? Double(mantissa) * powersOfTen[exponent] : Double(mantissa) / powersOfTen[-exponent]
            return negative ? -magnitude : magnitude
        }
        var text = negative ? "-" : ""
        for _ in 0..<digitCount {
            let group = String(r.int16())
            text += String(repeating: "0", count: 4 - group.count) + group
        }
        return Double(text + "e\(exponent)") ?? .nan
    }

    static let powersOfTen: [Double] = (0...22).map { exponent in
        var value = 1.0
        for _ in 0..<exponent { value *= 10 }
        return value
    }
}

/// Big-endian reads from a byte buffer.
struct ByteReader {
    let base: UnsafeRawBufferPointer
    var offset = 0

    init(_ base: UnsafeRawBufferPointer) { self.base = base }

    var remaining: Int { base.count - offset }

    mutating func take(_ n: Int) -> UnsafeRawBufferPointer {
        defer { offset += n }
        return UnsafeRawBufferPointer(rebasing: base[offset..<offset + n])
    }

    mutating func int16() -> Int16 {
        defer { offset += 2 }
        return Int16(bigEndian: base.loadUnaligned(fromByteOffset: offset, as: Int16.self))
    }

    mutating func int32() -> Int32 {
        defer { offset += 4 }
        return Int32(bigEndian: base.loadUnaligned(fromByteOffset: offset, as: Int32.self))
    }

    mutating func int64() -> Int64 {
        defer { offset += 8 }
        return Int64(bigEndian: base.loadUnaligned(fromByteOffset: offset, as: Int64.self))
    }
}

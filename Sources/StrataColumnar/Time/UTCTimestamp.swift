/// Conversions between timestamps (Int64 microseconds since the Unix epoch, UTC) and ISO-8601 text.
public enum UTCTimestamp {
    /// Microseconds in one second.
    public static let microsPerSecond: Int64 = 1_000_000

    /// `seconds` in microseconds, saturating at Int64's bounds instead of overflowing, so that any
    /// registered duration combines safely with times.
    @inlinable
    public static func micros(seconds: Int64) -> Int64 {
        let (product, overflow) = seconds.multipliedReportingOverflow(by: microsPerSecond)
        return overflow ? (seconds < 0 ? .min : .max) : product
    }

    /// `time + duration` (both µs), saturating at Int64's bounds: times from the stores may be
    /// PostgreSQL's ±infinity (Int64.max / Int64.min), and a sum past them stays there.
    @inlinable
    public static func adding(_ duration: Int64, to time: Int64) -> Int64 {
        let (sum, overflow) = time.addingReportingOverflow(duration)
        return overflow ? (duration < 0 ? .min : .max) : sum
    }

    /// `time - duration` (both µs), saturating at Int64's bounds.
    @inlinable
    public static func subtracting(_ duration: Int64, from time: Int64) -> Int64 {
        let (difference, overflow) = time.subtractingReportingOverflow(duration)
        return overflow ? (duration < 0 ? .max : .min) : difference
    }

    /// `2026-01-31T13:45:00Z`, with `.ffffff` only when the sub-second part is not zero;
    /// `infinity` and `-infinity` (PostgreSQL's words) for Int64.max and Int64.min, which stand for them.
    public static func format(_ micros: Int64) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(27)
        append(micros, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends the ISO-8601 form of `micros` to `bytes` without allocating a String.
    /// - Complexity: O(1); years 0 to 9999 are written in one append of fixed-width fields.
    public static func append(_ micros: Int64, to bytes: inout [UInt8]) {
        if micros == .max || micros == .min {
            bytes.append(contentsOf: (micros == .max ? "infinity" : "-infinity").utf8)
            return
        }
        let (seconds, fraction) = floorDivMod(micros, microsPerSecond)
        let (days, secondOfDay) = floorDivMod(seconds, 86_400)
        let (year, month, day) = civil(fromDays: days)
        guard (0...9999).contains(year) else {
            appendSlowly(year: year, month: month, day: day, secondOfDay: secondOfDay, fraction: fraction, to: &bytes)
            return
        }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 27) { text in
            @inline(__always) func put(_ value: Int64, _ width: Int, at position: Int) {
                var rest = value
                for i in stride(from: position + width - 1, through: position, by: -1) {
                    text[i] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: rest % 10)
                    rest /= 10
                }
            }
            put(year, 4, at: 0)
            text[4] = UInt8(ascii: "-")
            put(month, 2, at: 5)
            text[7] = UInt8(ascii: "-")
            put(day, 2, at: 8)
            text[10] = UInt8(ascii: "T")
            put(secondOfDay / 3600, 2, at: 11)
            text[13] = UInt8(ascii: ":")
            put(secondOfDay / 60 % 60, 2, at: 14)
            text[16] = UInt8(ascii: ":")
            put(secondOfDay % 60, 2, at: 17)
            var end = 19
            if fraction != 0 {
                text[19] = UInt8(ascii: ".")
                put(fraction, 6, at: 20)
                end = 26
            }
            text[end] = UInt8(ascii: "Z")
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: text[0...end]))
        }
    }

    /// `append` for years outside 0...9999 (signed, unpadded beyond four digits).
    private static func appendSlowly(
        year: Int64, month: Int64, day: Int64, secondOfDay: Int64, fraction: Int64, to bytes: inout [UInt8]
    ) {
        appendDigits(year, width: 4, to: &bytes)
        bytes.append(UInt8(ascii: "-"))
        appendDigits(month, width: 2, to: &bytes)
        bytes.append(UInt8(ascii: "-"))
        appendDigits(day, width: 2, to: &bytes)
        bytes.append(UInt8(ascii: "T"))
        appendDigits(secondOfDay / 3600, width: 2, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        appendDigits(secondOfDay / 60 % 60, width: 2, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        appendDigits(secondOfDay % 60, width: 2, to: &bytes)
        if fraction != 0 {
            bytes.append(UInt8(ascii: "."))
            appendDigits(fraction, width: 6, to: &bytes)
        }
        bytes.append(UInt8(ascii: "Z"))
    }

    /// Parses `YYYY-MM-DD`, or `YYYY-MM-DD[T ]HH:MM[:SS[.fraction]]` with an optional `Z`, `±HH`,
    /// `±HHMM` or `±HH:MM` offset (none means UTC); nil for anything else, year 0000 included
    /// (PostgreSQL, like most tools, writes the years before 0001 in another form).
    public static func parse(_ text: some StringProtocol) -> Int64? {
        var text = String(text)
        return text.withUTF8 { parse(bytes: UnsafeRawBufferPointer($0)) }
    }

    /// Parses UTF-8 bytes as `parse(_:)` parses text, without making a string of them.
    public static func parse(bytes: UnsafeRawBufferPointer) -> Int64? {
        var parser = Parser(bytes: bytes)
        return parser.timestamp()
    }

    /// Days since 1970-01-01 for a proleptic Gregorian date.
    public static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let monthIndex = month > 2 ? month - 3 : month + 9
        let dayOfYear = (153 * monthIndex + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The number of days of `month` (1-12) in `year`, February 29 in the Gregorian leap years.
    static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// The proleptic Gregorian date of a day count since 1970-01-01.
    public static func civil(fromDays z0: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    static func floorDivMod(_ a: Int64, _ b: Int64) -> (Int64, Int64) {
        var q = a / b
        var r = a % b
        if r < 0 {
            q -= 1
            r += b
        }
        return (q, r)
    }

    static func appendDigits(_ value: Int64, width: Int, to bytes: inout [UInt8]) {
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0, 0, 0)
        var v = value < 0 ? -value : value
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var count = 0
        withUnsafeMutableBytes(of: &digits) { d in
            repeat {
                d[count] = UInt8(ascii: "0") + UInt8(v % 10)
                v /= 10
                count += 1
            } while v > 0 && count < 6
            while count < width {
                d[count] = UInt8(ascii: "0")
                count += 1
            }
            for i in stride(from: count - 1, through: 0, by: -1) { bytes.append(d[i]) }
        }
    }

    struct Parser {
        let bytes: UnsafeRawBufferPointer
        var i = 0

        mutating func number(_ width: Int) -> Int64? {
            guard i + width <= bytes.count else { return nil }
            var v: Int64 = 0
            for k in 0..<width {
                let c = bytes[i + k]
                guard c >= 48 && c <= 57 else { return nil }
                v = v * 10 + Int64(c - 48)
            }
            i += width
            return v
        }

        mutating func expect(_ c: Character) -> Bool {
            guard i < bytes.count, bytes[i] == c.asciiValue! else { return false }
            i += 1
            return true
        }

        mutating func timestamp() -> Int64? {
            guard let year = number(4), year > 0, expect("-"), let month = number(2), expect("-"), let day = number(2),
                (1...12).contains(month), (1...UTCTimestamp.daysIn(month: month, year: year)).contains(day)
            else { return nil }
            var micros = days(year: year, month: month, day: day) * 86_400 * UTCTimestamp.microsPerSecond
            if i == bytes.count { return micros }
            guard expect("T") || expect(" ") || expect("t"), let hour = number(2), expect(":"), let minute = number(2),
                hour < 24, minute < 60
            else { return nil }
            var second: Int64 = 0
            var fraction: Int64 = 0
            if expect(":") {
                guard let s = number(2), s < 61 else { return nil }
                second = s
                if expect(".") || expect(",") {
                    var scale: Int64 = 100_000
                    var digits = 0
                    while i < bytes.count, bytes[i] >= 48 && bytes[i] <= 57 {
                        fraction += Int64(bytes[i] - 48) * scale
                        scale /= 10
                        digits += 1
                        i += 1
                    }
                    guard digits > 0 else { return nil }
                }
            }
            micros += ((hour * 60 + minute) * 60 + second) * UTCTimestamp.microsPerSecond + fraction
            if i == bytes.count || expect("Z") || expect("z") { return i == bytes.count ? micros : nil }
            let sign: Int64
            if expect("+") { sign = 1 } else if expect("-") { sign = -1 } else { return nil }
            guard let offsetHours = number(2) else { return nil }
            var offsetMinutes: Int64 = 0
            _ = expect(":")
            if i < bytes.count { guard let m = number(2) else { return nil }; offsetMinutes = m }
            guard i == bytes.count else { return nil }
            return micros - sign * (offsetHours * 3600 + offsetMinutes * 60) * UTCTimestamp.microsPerSecond
        }
    }
}

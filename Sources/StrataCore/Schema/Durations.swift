/// Durations as schema files write them: `0` (no limit) or a positive whole number with a unit,
/// `s`, `m`, `h` or `d` (`90s`, `15m`, `2h`, `7d`), at most `maximumSeconds` (100 years).
public enum Durations {
    /// The units, largest first, with their length in seconds.
    private static let units: [(suffix: Character, seconds: Int64)] = [("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)]

    /// The longest duration a schema may give: 36,500 days (100 years). A ttl that long already
    /// reaches every row a source can hold in practice (write `0` for no limit), and the bound keeps
    /// every time minus a ttl, in microseconds, far inside Int64.
    public static let maximumSeconds: Int64 = 36_500 * 86_400

    /// What `parse` accepts, for error messages.
    static let expected =
        "0 (no limit) or a positive whole number followed by s, m, h or d (e.g. 90s, 15m, 2h, 7d), at most 36500d (100 years)"

    /// The number of seconds `text` stands for, or nil when it is not a duration or is longer than
    /// `maximumSeconds`.
    public static func parse(_ text: String) -> Int64? {
        if text == "0" { return 0 }
        guard let suffix = text.last, let unit = units.first(where: { $0.suffix == suffix }) else { return nil }
        let digits = text.dropLast()
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
              let count = Int64(digits), count > 0
        else { return nil }
        let (seconds, overflow) = count.multipliedReportingOverflow(by: unit.seconds)
        return overflow || seconds > maximumSeconds ? nil : seconds
    }

    /// `seconds` (not negative) in the largest unit that divides it exactly; `"0"` for zero.
    public static func format(_ seconds: Int64) -> String {
        guard seconds != 0 else { return "0" }
        let unit = units.first { seconds % $0.seconds == 0 } ?? units[units.count - 1]
        return "\(seconds / unit.seconds)\(unit.suffix)"
    }
}

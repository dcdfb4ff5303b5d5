import Testing
import StrataColumnar

@Suite struct UTCTimestampTests {
    @Test func durationsSaturateInsteadOfOverflowing() {
        #expect(UTCTimestamp.micros(seconds: 86_400) == 86_400_000_000)
        #expect(UTCTimestamp.micros(seconds: 200_000_000 * 86_400) == .max)
        #expect(UTCTimestamp.micros(seconds: -9_999_999_999_999) == .min)
        #expect(UTCTimestamp.subtracting(.max, from: -5) == .min)
        #expect(UTCTimestamp.subtracting(10, from: .min) == .min)
        #expect(UTCTimestamp.subtracting(-10, from: .max) == .max)
        #expect(UTCTimestamp.subtracting(10, from: 25) == 15)
        #expect(UTCTimestamp.adding(.max, to: 1) == .max)
        #expect(UTCTimestamp.adding(-10, to: .min) == .min)
        #expect(UTCTimestamp.adding(10, to: 25) == 35)
    }

    @Test func theExtremesFormatAsPostgreSQLsInfinities() {
        #expect(UTCTimestamp.format(.max) == "infinity")
        #expect(UTCTimestamp.format(.min) == "-infinity")
        #expect(UTCTimestamp.format(.max - 1) == "294247-01-10T04:00:54.775806Z")
        #expect(UTCTimestamp.format(0) == "1970-01-01T00:00:00Z")
    }

    @Test(arguments: [
        "0000-01-01", "0000-12-31T23:59:59Z", "99999-01-01T00:00:00Z", "infinity", "2026-13-01", "2026-02-29",
        "2026-02-31T00:00:00Z", "2026-04-31", "1900-02-29",
    ])
    func datesThatDoNotExistOrLieOutsideYearsOneToNineThousandNineHundredNinetyNineAreNotParsed(text: String) {
        #expect(UTCTimestamp.parse(text) == nil)
    }

    @Test func leapDaysParse() {
        #expect(UTCTimestamp.parse("2024-02-29") == UTCTimestamp.parse("2024-03-01")! - 86_400_000_000)
        #expect(UTCTimestamp.parse("2000-02-29") != nil)
    }

    @Test func yearOneAndNineThousandNineHundredNinetyNineParse() {
        #expect(UTCTimestamp.parse("0001-01-01T00:00:00Z") == -62_135_596_800_000_000)
        #expect(UTCTimestamp.parse("9999-12-31T23:59:59.999999Z") == 253_402_300_799_999_999)
    }

    @Test(arguments: [
        (Int64(0), "1970-01-01T00:00:00Z"), (-1, "1969-12-31T23:59:59.999999Z"),
        (1_769_862_896_123_456, "2026-01-31T12:34:56.123456Z"), (951_782_400_000_000, "2000-02-29T00:00:00Z"),
        (-62_167_219_200_000_000, "0000-01-01T00:00:00Z"), (253_402_300_799_000_000, "9999-12-31T23:59:59Z"),
        (253_402_300_800_000_000, "10000-01-01T00:00:00Z"), (-62_167_219_200_000_001, "-0001-12-31T23:59:59.999999Z"),
    ])
    func formatsFixedWidthFieldsAndYearsOutsideFourDigits(_ micros: Int64, _ text: String) {
        #expect(UTCTimestamp.format(micros) == text)
    }

    @Test func formatThenParseRoundTripsRandomInstantsOfYearsOneToNineThousandNineHundredNinetyNine() {
        var rng = SplitMix64(seed: 99)
        for _ in 0..<10_000 {
            let micros = Int64.random(in: -62_135_596_800_000_000...253_402_300_799_999_999, using: &rng)
            #expect(UTCTimestamp.parse(UTCTimestamp.format(micros)) == micros)
        }
    }
}

import Testing
import StrataCore

@Suite struct DurationsTests {
    @Test(arguments: [
        ("0", Int64(0)), ("90s", 90), ("15m", 900), ("2h", 7_200), ("7d", 604_800), ("1d", 86_400), ("007s", 7),
    ])
    func parsesDurations(text: String, seconds: Int64) {
        #expect(Durations.parse(text) == seconds)
    }

    @Test(arguments: ["", "s", "0s", "00", "-5m", "+5m", "5", "5w", "1.5h", "5 m", " 5m", "2D", "١٢s", "9999999999999999999d", "200000000000000d", "9999999999d", "200000000d",
        "36501d", "876001h", "52560001m", "3153600001s",
    ])
    func rejectsNonDurations(text: String) {
        #expect(Durations.parse(text) == nil)
    }

    @Test(arguments: [
        (Int64(0), "0"), (1, "1s"), (59, "59s"), (60, "1m"), (90, "90s"), (5_400, "90m"), (3_600, "1h"),
        (172_800, "2d"), (90_000, "25h"), (86_401, "86401s"),
    ])
    func formatsInTheLargestExactUnit(seconds: Int64, text: String) {
        #expect(Durations.format(seconds) == text)
    }

    @Test(arguments: ["36500d", "876000h", "52560000m", "3153600000s"])
    func acceptsTheMaximumInEveryUnit(text: String) {
        #expect(Durations.parse(text) == Durations.maximumSeconds)
    }

    @Test func formatAndParseRoundTrip() {
        var generator = SplitMix64(seed: 0x5eed)
        for _ in 0..<1_000 {
            let seconds = Int64(generator.next() % 100_000_000)
            #expect(Durations.parse(Durations.format(seconds)) == seconds)
        }
        #expect(Durations.parse(Durations.format(Durations.maximumSeconds)) == Durations.maximumSeconds)
    }
}

/// A small seeded generator, so the round trip sees the same values in every run.
private struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}

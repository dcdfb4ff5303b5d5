import StrataColumnar
import Testing
@testable import StrataMonitoring

@Suite struct SkewComparisonTests {
    typealias Outcome = SkewComparison.Outcome

    @Test func floatsCompareExactlyAndNaNEqualsNaN() throws {
        let statuses = [ServedStatus](repeating: .present, count: 5)
        let served = Column(float64: [0.1, .nan, 2.0, -0.0, 1e-300])
        let offline = Column(float64: [0.1, .nan, 2.0000000000000004, 0.0, 1e-300])
        #expect(try SkewComparison.compare(served: served, statuses: statuses, offline: offline) == [.equal, .equal, .differ, .equal, .equal])
        let narrow = try SkewComparison.compare(
            served: Column(float32: [0.1, .nan]), statuses: [.present, .present], offline: Column(float32: [Float(0.1).nextUp, .nan]))
        #expect(narrow == [.differ, .equal])
    }

    /// Windowed sums are added in another order online and offline: a tolerance relative to the
    /// magnitude accepts rounding and nothing more.
    @Test func windowedSumsCompareWithinTheirTolerance() throws {
        let statuses = [ServedStatus](repeating: .present, count: 4)
        let served = Column(float64: [0.30000000000000004, 1e12 + 0.0001, 5.0, 0.0])
        let offline = Column(float64: [0.3, 1e12, 5.000001, 1e-12])
        #expect(
            try SkewComparison.compare(served: served, statuses: statuses, offline: offline, relativeTolerance: SkewMonitor.windowedTolerance)
                == [.equal, .equal, .differ, .equal])
        #expect(try SkewComparison.compare(served: served, statuses: statuses, offline: offline) == [.differ, .differ, .differ, .differ])
    }

    @Test func statusesAndNullsDecideMissingSides() throws {
        // absent, PRESENT vs null, NULL_VALUE vs value, NOT_FOUND vs null, OUTSIDE_MAX_AGE vs null (ttl), OUTSIDE_MAX_AGE vs value.
        let statuses: [ServedStatus] = [.absent, .present, .nullValue, .notFound, .outsideMaxAge, .outsideMaxAge]
        let served = Column(int64: [7, 7, nil, nil, nil, nil])
        let offline = Column(int64: [1, nil, 3, nil, nil, 4])
        #expect(
            try SkewComparison.compare(served: served, statuses: statuses, offline: offline)
                == [.notServed, .missingOffline, .missingServed, .equal, .equal, .missingServed])
    }

    @Test func stringsCompareByBytes() throws {
        let outcomes = try SkewComparison.compare(
            served: Column(string: ["gold", "émeraude", "", "a"]), statuses: [.present, .present, .present, .present],
            offline: Column(string: ["gold", "emeraude", "", "ab"]))
        #expect(outcomes == [.equal, .differ, .equal, .differ])
    }

    @Test func columnsThatDoNotLineUpAreAnError() {
        #expect(throws: MonitoringError.self) {
            try SkewComparison.compare(served: Column(int64: [1]), statuses: [.present], offline: Column(int32: [1]))
        }
    }

    @Test func statusNamesDecodeAndUnknownOnesAreReported() {
        let (statuses, unknown) = ServedStatus.decode(Column(string: ["PRESENT", nil, "NOT_FOUND", "OUTSIDE_MAX_AGE", "NULL_VALUE"]))
        #expect(statuses == [.present, .absent, .notFound, .outsideMaxAge, .nullValue])
        #expect(unknown == nil)
        #expect(ServedStatus.decode(Column(string: ["PRESENT", "present"])).unknownRow == 1)
    }

    @Test func skewValuesWriteNonFiniteFloatsAsTheLogDoes() {
        #expect(SkewValue.float64(.nan).description == "NaN")
        #expect(SkewValue.float32(-.infinity).description == "-Infinity")
        #expect(SkewValue(Column(float32: [0.1]), 0).description == "0.1")
        #expect(SkewValue(Column(string: [nil]), 0) == .null)
    }
}

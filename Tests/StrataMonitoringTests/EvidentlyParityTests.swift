import Foundation
import StrataColumnar
import Testing
@testable import StrataMonitoring

/// Strata's drift statistics against the values Evidently 0.7.23 and scipy computed on the same
/// data (`scripts/drift-fixtures.py`, fixture committed beside these tests).
@Suite struct EvidentlyParityTests {
    /// Agreement to 1e-9 relative; p-values below 1e-300 count as equal to zero, where the
    /// subnormal range leaves no relative precision.
    static func agrees(_ actual: Double?, _ expected: Double?) -> Bool {
        guard let actual, let expected else { return actual == nil && expected == nil }
        if expected.isNaN || actual.isNaN { return expected.isNaN && actual.isNaN }
        if expected.isInfinite || actual.isInfinite { return expected == actual }
        return abs(actual - expected) <= max(1e-9 * max(abs(actual), abs(expected)), 1e-300)
    }

    @Test func fixtureIsPresent() {
        #expect(DriftFixtures.columnCases.count >= 50)
        #expect(DriftFixtures.datasetCases.count >= 2)
    }

    @Test func generatorsReplayTheScriptsData() {
        #expect(DriftFixtures.checksums.count > 20)
        for check in DriftFixtures.checksums {
            #expect(check.actual.count == check.expected.count, "\(check.name)")
            #expect(abs(check.actual.sum - check.expected.sum) <= 1e-9 * abs(check.expected.sum), "\(check.name)")
        }
    }

    @Test(arguments: DriftFixtures.columnCases)
    func columnMatchesEvidently(_ fixture: DriftFixtures.ColumnCase) throws {
        let column = DriftColumn(name: fixture.name, reference: fixture.reference, current: fixture.current, method: fixture.method)
        let drift = try #require(try DriftAnalysis.analyze(column, kind: fixture.kind, options: .init()))
        let expected = fixture.expected
        #expect(drift.status.rawValue == expected.status)
        guard drift.status == .tested else {
            #expect(drift.test == nil && drift.statistic == nil && drift.drifted == false)
            return
        }
        #expect(drift.test?.rawValue == expected.test)
        #expect(Self.agrees(drift.statistic, expected.statistic), "statistic \(drift.statistic ?? .nan) != \(expected.statistic ?? .nan)")
        #expect(drift.threshold == expected.threshold)
        #expect(drift.drifted == expected.drifted)
        if let d = expected.ksD {
            let ks = DriftStatistics.ks(fixture.reference.sortedFiniteValues(), fixture.current.sortedFiniteValues())
            #expect(Self.agrees(ks.statistic, d), "D \(ks.statistic) != \(d)")
        }
    }

    @Test(arguments: DriftFixtures.datasetCases)
    func datasetMatchesDataDriftPreset(_ fixture: DriftFixtures.DatasetCase) throws {
        let report = try DriftAnalysis.run(
            fixture.columns, reference: .init(source: "reference", rows: 0), current: .init(source: "current", rows: 0))
        #expect(report.columns.count == fixture.expected.count)
        for drift in report.columns {
            let column = try #require(fixture.expected[drift.name])
            #expect(drift.type.rawValue == column.kind, "\(drift.name)")
            #expect(drift.test?.rawValue == column.test, "\(drift.name)")
            #expect(Self.agrees(drift.statistic, column.statistic), "\(drift.name): \(drift.statistic ?? .nan) != \(column.statistic ?? .nan)")
            #expect(drift.threshold == column.threshold, "\(drift.name)")
        }
        #expect(report.driftedColumns == fixture.driftedColumns)
        #expect(Self.agrees(report.share, fixture.share))
        #expect(report.datasetDrifted == fixture.datasetDrifted)
    }
}

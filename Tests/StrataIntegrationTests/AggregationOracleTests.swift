import StrataColumnar
import StrataCore
import StrataOffline
import StrataPostgres
import StrataTestSupport
import Testing

@Suite("Windowed aggregations against a brute-force SQL oracle", .enabled(if: TestServices.enabled))
struct AggregationOracleTests {
    /// Training sets of random data equal the oracle in every cell, for several hops and windows.
    @Test(arguments: [UInt64(1), 2, 3, 4, 5, 6])
    func trainingSetsEqualTheOracle(seed: UInt64) throws {
        let fixture = try AggregationFixture(seed: seed)
        try fixture.insert(fixture.randomEvents(400, from: fixture.origin, to: fixture.end))
        let instants = try fixture.randomInstants(300, from: fixture.origin - AggregationFixture.day, to: fixture.end + 35 * AggregationFixture.day)
        try fixture.spine("spine", instants)
        let references = fixture.aggregations.map { FeatureReference(view: "activity", feature: $0.name) }
        let set = try TrainingSetBuilder(registry: fixture.registry)
            .build(TrainingSetRequest(features: .references(references), spine: .table("spine")))
        #expect(set.lineage.strategies["activity"] == "tiled-window")
        let oracle = try fixture.oracle("spine")
        var differences: [String] = []
        for (a, reference) in references.enumerated() {
            differences += fixture.differences(a, strata: set.frame[reference.columnName]!, oracle: oracle[a], label: "seed \(seed)")
        }
        #expect(differences.isEmpty, "\(differences.prefix(10))")
        // The spine reaches entities without events and instants before any: counts 0, the rest null.
        let counts = set.frame["activity__events_30d"]!
        #expect((0..<counts.count).contains { counts.int64(at: $0) == 0 })
        #expect(counts.nullCount == 0)
    }

    /// A service mixing an aggregation view and a plain view gives each view's columns as when each is
    /// asked for alone.
    @Test func aggregationAndPlainViewsMix() throws {
        let fixture = try AggregationFixture(seed: 9)
        try fixture.insert(fixture.randomEvents(200, from: fixture.origin, to: fixture.end))
        try fixture.spine("spine", try fixture.randomInstants(100, from: fixture.origin, to: fixture.end))
        let builder = TrainingSetBuilder(registry: fixture.registry)
        let mixed = try builder.build(TrainingSetRequest(features: .service("mixed"), spine: .table("spine")))
        #expect(mixed.frame.names == ["driver_id", "event_timestamp", "latest__fare", "activity__fare_sum", "activity__events_n"])
        let plain = try builder.build(TrainingSetRequest(features: .references([FeatureReference(view: "latest", feature: "fare")]), spine: .table("spine")))
        let windows = try builder.build(TrainingSetRequest(
            features: .references([FeatureReference(view: "activity", feature: "events_n"), FeatureReference(view: "activity", feature: "fare_sum")]),
            spine: .table("spine")))
        #expect(mixed.frame["latest__fare"]! == plain.frame["latest__fare"]!)
        #expect(mixed.frame["activity__fare_sum"]! == windows.frame["activity__fare_sum"]!)
        #expect(mixed.frame["activity__events_n"]! == windows.frame["activity__events_n"]!)
    }
}

import StrataColumnar
import StrataCore
import StrataMonitoring
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

    /// A drift window reads an aggregation view's values at each of its source's events in the window,
    /// beside a plain view's rows: counts and means equal the oracle's at those events.
    @Test func driftWindowsReadAggregationsAtEachEvent() throws {
        let fixture = try AggregationFixture(seed: 8)
        try fixture.insert(fixture.randomEvents(300, from: fixture.origin, to: fixture.end))
        let middle = fixture.origin + 20 * AggregationFixture.day
        let names = ["events_30d", "fare_sum", "fare_min"]
        let references = names.map { FeatureReference(view: "activity", feature: $0) } + [FeatureReference(view: "latest", feature: "fare")]
        let run = try DriftMonitor(registry: fixture.registry, openConnection: { try PostgresConnection(url: fixture.url) })
            .run(DriftRequest(
                features: .references(references), reference: .window(from: fixture.origin, to: middle),
                current: .window(from: middle, to: fixture.end + 1)))
        for (side, bounds) in [(0, (fixture.origin, middle)), (1, (middle, fixture.end + 1))] {
            try fixture.db.execute("DROP TABLE IF EXISTS at_events")
            try fixture.db.execute(
                "CREATE TABLE at_events AS SELECT driver_id, ts AS event_timestamp FROM events "
                    + "WHERE ts >= '\(UTCTimestamp.format(bounds.0))' AND ts < '\(UTCTimestamp.format(bounds.1))'")
            let oracle = try fixture.oracle("at_events")
            for name in names {
                let a = try #require(fixture.aggregations.firstIndex { $0.name == name })
                let column = try #require(run.report.columns.first { $0.name == "activity:\(name)" })
                let summary = side == 0 ? column.reference : column.current
                let values = (0..<oracle[a].count).compactMap { oracle[a].double(at: $0) }
                #expect(summary.rows == oracle[a].count, "\(name) side \(side)")
                #expect(summary.count == values.count, "\(name) side \(side)")
                let mean = values.reduce(0, +) / Double(max(1, values.count))
                #expect(abs((summary.mean ?? .nan) - mean) <= 1e-9 * max(1, abs(mean)), "\(name) side \(side): \(summary.mean ?? .nan) vs \(mean)")
            }
        }
        #expect(run.report.columns.contains { $0.name == "latest:fare" })
    }
}

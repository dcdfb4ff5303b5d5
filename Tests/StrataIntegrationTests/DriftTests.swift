import Foundation
import StrataColumnar
import StrataCore
import StrataMonitoring
import StrataOffline
import StrataPostgres
import StrataRegistry
import StrataTestSupport
import Testing

@Suite("strata drift against a real PostgreSQL", .enabled(if: TestServices.enabled))
struct DriftTests {
    func monitor(_ fixture: DriftFixture) -> DriftMonitor {
        DriftMonitor(registry: fixture.registry, openConnection: { try PostgresConnection(url: fixture.url) })
    }

    func request(_ fixture: DriftFixture, _ reference: String, _ current: String, save: String? = nil) throws -> DriftRequest {
        DriftRequest(
            features: .service("driver_health"), reference: try DriftInput(argument: reference, role: "reference"),
            current: try DriftInput(argument: current, role: "current"), save: save)
    }

    @Test func windowsFindTheShiftWithTheSchemasSettings() throws {
        let fixture = try DriftFixture()
        let run = try monitor(fixture).run(try request(fixture, DriftFixture.window(0, 7), DriftFixture.window(7, 14)))
        let report = run.report
        #expect(report.columns.map(\.name) == ["driver_stats:conv_rate", "driver_stats:trips", "driver_stats:city", "driver_stats:vip"])
        #expect(report.reference.rows == 7 * DriftFixture.rowsPerDay && report.current.rows == 7 * DriftFixture.rowsPerDay)
        let byName = Dictionary(uniqueKeysWithValues: report.columns.map { ($0.name, $0) })
        let rate = try #require(byName["driver_stats:conv_rate"])
        #expect(rate.test == .wasserstein && rate.drifted && rate.type == .numerical)
        #expect(rate.reference.nulls > 0 && rate.reference.count + rate.reference.nulls == 2800)
        let trips = try #require(byName["driver_stats:trips"])
        #expect(trips.test == .psi && trips.threshold == 0.2 && !trips.drifted)
        let city = try #require(byName["driver_stats:city"])
        #expect(city.test == .jensenshannon && city.drifted && city.type == .categorical)
        #expect(city.current.distinct == 5 && city.reference.distinct == 4)
        #expect(byName["driver_stats:vip"]?.drifted == false)
        #expect(report.driftedColumns == 2 && report.share == 0.5 && report.datasetDrifted)
    }

    @Test func queriesWithoutFeaturesTestEverySharedColumnAlike() throws {
        let fixture = try DriftFixture()
        let byWindow = try monitor(fixture).run(try request(fixture, DriftFixture.window(0, 7), DriftFixture.window(7, 14))).report
        let week = "'\(UTCTimestamp.format(DriftFixture.firstDay + 7 * DriftFixture.day))'"
        let byQuery = try monitor(fixture).run(
            DriftRequest(
                features: nil,
                reference: .query("SELECT conv_rate, city, trips::int, driver_id % 3 AS bucket FROM driver_stats WHERE ts < \(week);"),
                current: .query("SELECT city, conv_rate, trips, seen_at FROM driver_stats WHERE ts >= \(week)"))
        ).report
        #expect(byQuery.columns.map(\.name) == ["conv_rate", "city", "trips"])
        #expect(byQuery.columns[0].statistic == byWindow.columns[0].statistic)
        #expect(byQuery.columns[1].statistic == byWindow.columns[2].statistic)
        // Without the schema, trips (int4 against int8, 61 values) is numerical and gets the default test.
        #expect(byQuery.columns[2].test == .wasserstein)
    }

    @Test func aSavedTrainingSetIsAReference() throws {
        let fixture = try DriftFixture()
        try fixture.registry.connection.executeScript(
            """
            CREATE TABLE spine AS SELECT driver_id, ts + interval '1 second' AS event_timestamp
            FROM driver_stats WHERE ts < '2026-01-08';
            """)
        let set = try TrainingSetBuilder(registry: fixture.registry).build(
            TrainingSetRequest(features: .service("driver_health"), spine: .table("spine")))
        try SavedTrainingSets(registry: fixture.registry).save(set, name: "first_week")
        let fromSaved = try monitor(fixture).run(
            DriftRequest(features: nil, reference: .saved(name: "first_week"), current: try DriftInput(argument: DriftFixture.window(7, 14), role: "current"))
        ).report
        let fromWindow = try monitor(fixture).run(try request(fixture, DriftFixture.window(0, 7), DriftFixture.window(7, 14))).report
        #expect(fromSaved.reference.source == "saved:first_week")
        #expect(fromSaved.columns.map(\.name) == fromWindow.columns.map(\.name))
        #expect(fromSaved.columns.map(\.statistic) == fromWindow.columns.map(\.statistic))
        #expect(fromSaved.columns[1].test == .psi)
    }

    @Test func savedRunsAreListedAndDayProfilesMergeIntoTheWeeks() throws {
        let fixture = try DriftFixture()
        var dayRuns: [Int64] = []
        for day in 0..<7 {
            let run = try monitor(fixture).run(
                try request(fixture, DriftFixture.window(day, day + 1), DriftFixture.window(7, 14), save: "day \(day)"))
            dayRuns.append(try #require(run.savedID))
        }
        let weekRun = try #require(
            try monitor(fixture).run(try request(fixture, DriftFixture.window(0, 7), DriftFixture.window(7, 14), save: "week")).savedID)
        let history = DriftHistory(registry: fixture.registry)
        let runs = try history.runs(project: "fleet", service: "driver_health")
        #expect(runs.map(\.name) == (0..<7).map { "day \($0)" } + ["week"])
        #expect(runs.last?.datasetDrifted == true && runs.last?.testedColumns == 4)
        let week = try history.columns(run: weekRun)
        let days = try dayRuns.map { try history.columns(run: $0) }
        for (index, column) in week.enumerated() {
            let merged = days.map { $0[index].reference }.dropFirst().reduce(days[0][index].reference) { $0.merged(with: $1) }
            #expect(merged.rows == column.reference.rows && merged.count == column.reference.count, "\(column.name)")
            #expect(merged.sketch == column.reference.sketch && merged.categories == column.reference.categories, "\(column.name)")
            #expect(merged.min == column.reference.min && merged.max == column.reference.max, "\(column.name)")
            if let mean = column.reference.mean, let std = column.reference.standardDeviation {
                #expect(abs((merged.mean ?? .nan) - mean) <= 1e-12 * abs(mean), "\(column.name)")
                #expect(abs((merged.standardDeviation ?? .nan) - std) <= 1e-12 * std, "\(column.name)")
            }
            #expect(column.histogram.reference.reduce(0, +) == column.reference.count)
        }
        let listed = try StrataCLI.run(["drift", "--history", "--service", "driver_health"], environment: fixture.cli)
        #expect(listed.status == 0, "\(listed.stderr)")
        #expect(listed.stdout.split(separator: "\n").count == 9 && listed.stdout.contains("week"))
        let json = try StrataCLI.run(["drift", "--history", "--json"], environment: fixture.cli)
        let decoded = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]]
        #expect(decoded?.count == 8 && decoded?.last?["drifted_columns"] as? Int == 2)
    }

    @Test func theCLIExitsOneOnDriftZeroWithoutAndPrintsTheContractsJSON() throws {
        let fixture = try DriftFixture()
        let drifted = try StrataCLI.run(
            ["drift", "--service", "driver_health", "--reference", DriftFixture.window(0, 7), "--current", DriftFixture.window(7, 14), "--json"],
            environment: fixture.cli)
        #expect(drifted.status == 1, "\(drifted.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(drifted.stdout.utf8)) as? [String: Any])
        #expect(Set(object.keys) == ["reference", "current", "columns", "drifted_columns", "share", "dataset_drifted"])
        #expect((object["reference"] as? [String: Any])?["rows"] as? Int == 2800)
        let columns = try #require(object["columns"] as? [[String: Any]])
        #expect(Set(columns[0].keys) == ["name", "type", "test", "statistic", "threshold", "drifted", "status", "reference", "current"])
        let summary = try #require(columns[0]["reference"] as? [String: Any])
        #expect(["count", "nulls", "mean", "std", "min", "quantiles"].allSatisfy { summary[$0] != nil })
        #expect((columns[2]["current"] as? [String: Any])?["top"] is [Any])

        let calm = try StrataCLI.run(
            ["drift", "--service", "driver_health", "--reference", DriftFixture.window(0, 3), "--current", DriftFixture.window(3, 7)],
            environment: fixture.cli)
        #expect(calm.status == 0, "\(calm.stderr)")
        #expect(calm.stdout.contains("no dataset drift") && calm.stdout.contains("driver_stats:trips"))

        let empty = try StrataCLI.run(
            ["drift", "--service", "driver_health", "--reference", DriftFixture.window(0, 7), "--current", "window:2030-01-01..2030-01-02", "--json"],
            environment: fixture.cli)
        #expect(empty.status == 0, "\(empty.stderr)")
        let none = try #require(try JSONSerialization.jsonObject(with: Data(empty.stdout.utf8)) as? [String: Any])
        let untested = try #require(none["columns"] as? [[String: Any]])
        #expect(untested.count == 4 && untested.allSatisfy { $0["status"] as? String == "no_data" && $0["test"] is NSNull })
        #expect(none["dataset_drifted"] as? Bool == false)
    }

    @Test(arguments: [
        (["--features", "driver_stats:city", "--method", "ks"], "method ks does not apply to column driver_stats:city, which is categorical"),
        (["--features", "driver_stats:nope"], "feature view driver_stats has no feature 'nope'"),
        (["--method", "kl"], "--method 'kl' is not a drift method"),
        (["--threshold=-1"], "--threshold -1.0 must be a positive number"),
        (["--reference", "served:2026-01-02..2026-01-01"], "the window is empty (FROM must be before TO)"),
        (["--reference", "rides"], "is not an input Strata reads"),
        (["--reference", "SELECT nope FROM driver_stats"], "nope"),
    ])
    func badInputExitsTwoSayingWhy(arguments: [String], fragment: String) throws {
        let fixture = try DriftFixture()
        var full = ["drift"]
        if !arguments.contains("--features") { full += ["--service", "driver_health"] }
        full += arguments
        if !arguments.contains("--reference") { full += ["--reference", DriftFixture.window(0, 7)] }
        full += ["--current", DriftFixture.window(7, 14)]
        let outcome = try StrataCLI.run(full, environment: fixture.cli)
        #expect(outcome.status == 2, "\(outcome.stderr)")
        #expect(outcome.stderr.contains(fragment), "\(outcome.stderr)")
    }

    @Test func windowsNeedFeatures() throws {
        let fixture = try DriftFixture()
        let outcome = try StrataCLI.run(
            ["drift", "--reference", DriftFixture.window(0, 7), "--current", DriftFixture.window(7, 14)], environment: fixture.cli)
        #expect(outcome.status == 2)
        #expect(outcome.stderr.contains("needs the features to test: name them with --service or --features"))
    }
}

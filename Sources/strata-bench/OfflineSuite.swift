import Foundation
import StrataColumnar
import StrataCore
import StrataExample
import StrataOffline
import StrataPostgres
import StrataRegistry

/// `offline`: a 1M-row spine joined point-in-time to three views (~5.5M hourly driver rows with ttl 2d,
/// ~0.5M daily customer profiles with ttl 30d, ~85k sparse quality reviews without ttl), no indexes on
/// the sources. Strata end to end (the release `strata` binary, to CSV and to a table) beside the best
/// hand-written single SQL statements for the same result (two window formulations without indexes,
/// LATERAL with covering indexes after VACUUM (ANALYZE)), each timed as many runs as Strata, in the
/// same run. Options: `--small` (a tenth of the size), `--runs N` (default 3), `--parallel` (instead of the
/// comparison with SQL: Strata read over 1, 2, 3 and an automatic count of connections, on the plain
/// tables and on `driver_hourly_stats` partitioned by week; `OfflineSuite+Parallel.swift`).
enum OfflineSuite {
    static let service = "driver_ranking"

    static func run(_ arguments: [String]) throws {
        let small = arguments.contains("--small")
        let runs = arguments.firstIndex(of: "--runs").flatMap { Int(arguments[$0 + 1]) } ?? 3
        // The trips (events of the aggregation view) are the `aggregations` suite's; this one leaves them out.
        var size: SampleData.Size = small ? .init(drivers: 1000, customers: 2000, days: 30) : .benchmark
        size.tripsPerDriverDay = 0
        let spineRows = small ? 100_000 : 1_000_000
        let servers = try BenchServers()
        defer { servers.stop() }
        let db = try PostgresConnection(url: servers.postgresURL)
        try db.execute("SET work_mem = '256MB'")

        print("offline: generating \(size.drivers) drivers × \(size.days) days, \(size.customers) customers, a \(spineRows)-row spine…")
        let sample = SampleData(size: size)
        let loadSeconds = try Measure.seconds {
            let counts = try sample.load(into: db)
            print("  driver_hourly_stats \(counts.driverHourlyStats) rows, customer_daily_profile \(counts.customerDailyProfile), driver_quality \(counts.driverQuality)")
        }
        try BenchSample.createSpine(db, sample: sample, rows: spineRows)
        print("  generated in \(fmt(loadSeconds, 1)) s")

        let repository = try BenchSample.applySchemas(db)
        let references = try plainReferences(service: service, in: repository)
        let selection = try FeatureSelection.resolve(references, in: repository)

        let strata = ChildProcess.binaryFolder + "/strata"
        guard FileManager.default.isExecutableFile(atPath: strata) else {
            throw BenchError("\(strata) is missing: build it first with `swift build -c release`")
        }
        let csvPath = NSTemporaryDirectory() + "strata-bench-offline.csv"
        let csvFile = BenchCleanup.shared.temporary(csvPath)
        defer { BenchCleanup.shared.finish(csvFile) }

        func strataRun(_ output: String, strategy: String = "automatic", parallel: String? = nil) throws -> ChildProcess.Outcome {
            let outcome = try ChildProcess.run(
                strata,
                ["training-set", "--features", references.map(\.description).joined(separator: ","), "--spine", "bench_spine",
                 "--output", output, "--strategy", strategy, "--project", repository.project] + (parallel.map { ["--parallel", $0] } ?? []),
                environment: ["STRATA_POSTGRES_URL": servers.postgresURL])
            guard outcome.status == 0 else { throw BenchError("strata training-set exited \(outcome.status): \(outcome.errorTail)") }
            return outcome
        }

        if arguments.contains("--parallel") {
            try parallelFigures(db: db, sample: sample, selection: selection, spineRows: spineRows, runs: runs, csvPath: csvPath) { output, strategy, parallel in
                try strataRun(output, strategy: strategy, parallel: parallel)
            }
            return
        }

        var csvRuns: [ChildProcess.Outcome] = []
        var tableRuns: [ChildProcess.Outcome] = []
        for i in 0..<runs {
            csvRuns.append(try strataRun(csvPath))
            tableRuns.append(try strataRun("pg:bench_out_\(i)"))
        }
        var sortMergeRuns: [ChildProcess.Outcome] = []
        for _ in 0..<max(1, runs / 2) { sortMergeRuns.append(try strataRun(csvPath, strategy: "sort-merge")) }
        let strataCSV = Measure.median(csvRuns.map(\.seconds))
        let strataTable = Measure.median(tableRuns.map(\.seconds))
        let peak = csvRuns.map(\.peakRSSMegabytes).max() ?? 0

        let rawBytes = resultRawBytes(rows: spineRows, selection: selection)

        // Each SQL statement is timed as many times as Strata → CSV, and checked against Strata's result.
        func timeSQL(_ sql: String) throws -> [Double] {
            try (0..<runs).map { _ in
                try Measure.seconds { try copyToFile(db, "COPY (\(sql)) TO STDOUT (FORMAT csv, HEADER)", path: csvPath) }
            }
        }
        func agrees(_ sql: String) throws -> Bool {
            try db.execute("DROP TABLE IF EXISTS bench_sql_out")
            try db.execute("CREATE TABLE bench_sql_out AS \(sql)")
            defer { _ = try? db.execute("DROP TABLE IF EXISTS bench_sql_out") }
            return try sameRows(db, "bench_sql_out", "bench_out_0")
        }
        let windowSQL = try HandWrittenSQL.window(selection: selection, spine: "bench_spine")
        let windowRuns = try timeSQL(windowSQL)
        let windowAgrees = try agrees(windowSQL)
        let singleSortSQL = try HandWrittenSQL.singleSortWindow(selection: selection, spine: "bench_spine")
        let singleSortRuns = try singleSortSQL.map(timeSQL)
        let singleSortAgrees = try singleSortSQL.map(agrees)

        print("  creating covering indexes on (join keys, event_timestamp, created) INCLUDE (features), then VACUUM (ANALYZE)…")
        let indexes = selection.groups.indices.map { "bench_cover_\($0)" }
        for (group, name) in zip(selection.groups, indexes) {
            try db.execute("DROP INDEX IF EXISTS \(try SQLIdentifier.quote(name))")
            try db.execute(try HandWrittenSQL.coveringIndex(group, name: name))
        }
        for table in Set(selection.groups.map(\.source.table)).sorted() {
            try db.execute("VACUUM (ANALYZE) \(try SQLIdentifier.quoteQualified(table))")
        }
        let lateralSQL = try HandWrittenSQL.lateral(selection: selection, spine: "bench_spine")
        let lateralRuns = try timeSQL(lateralSQL)
        let lateralAgrees = try agrees(lateralSQL)
        var indexedRuns: [ChildProcess.Outcome] = []
        for _ in 0..<runs { indexedRuns.append(try strataRun(csvPath)) }
        let strataIndexed = Measure.median(indexedRuns.map(\.seconds))
        var lateralStrataRuns: [ChildProcess.Outcome] = []
        for _ in 0..<runs { lateralStrataRuns.append(try strataRun(csvPath, strategy: "lateral")) }
        let strataLateral = Measure.median(lateralStrataRuns.map(\.seconds))
        for name in indexes { try db.execute("DROP INDEX \(try SQLIdentifier.quote(name))") }
        for i in 0..<runs { try db.execute("DROP TABLE IF EXISTS bench_out_\(i)") }

        let window = Measure.median(windowRuns)
        let singleSort = singleSortRuns.map(Measure.median)
        let lateral = Measure.median(lateralRuns)
        let bestSQL = [window, singleSort ?? .infinity, lateral].min()!
        var table = ResultTable("\(spineRows)-row spine, 3 views, \(selection.references.count) features", "seconds", "vs Strata CSV")
        table.add("Strata → CSV (end to end, no indexes)", fmt(strataCSV), "1.00")
        table.add("Strata → table (end to end, no indexes)", fmt(strataTable), fmt(strataTable / strataCSV))
        table.add(
            "Strata → CSV, sort-merge strategy (peak \(fmt(sortMergeRuns.map(\.peakRSSMegabytes).max() ?? 0, 0)) MB)",
            fmt(Measure.median(sortMergeRuns.map(\.seconds))), fmt(Measure.median(sortMergeRuns.map(\.seconds)) / strataCSV))
        table.add("SQL window, two sorts per view, + COPY out, no indexes", fmt(window), fmt(window / strataCSV))
        table.add(
            "SQL window, one sort per view (running max of arrays), + COPY out, no indexes", singleSort.map { fmt($0) } ?? "n/a",
            singleSort.map { fmt($0 / strataCSV) } ?? "")
        table.add("SQL LATERAL per spine row + COPY out, covering indexes, vacuumed", fmt(lateral), fmt(lateral / strataCSV))
        table.add("Strata → CSV with the covering indexes (automatic strategy)", fmt(strataIndexed), fmt(strataIndexed / strataCSV))
        table.add("Strata → CSV with the covering indexes (forced lateral)", fmt(strataLateral), fmt(strataLateral / strataCSV))
        table.add("Feast 0.67, same shape: reference, not measured here", "200–242", "")
        print(table.render())
        func yes(_ agrees: Bool?) -> String { agrees.map { $0 ? "yes" : "NO" } ?? "not run" }
        print("same rows as Strata, value for value: two-sort window SQL \(yes(windowAgrees)), one-sort window SQL \(yes(singleSortAgrees)), LATERAL SQL \(yes(lateralAgrees))")
        print("peak RSS of strata → CSV: \(fmt(peak, 0)) MB; the result's raw size: \(fmt(rawBytes / 1e6, 0)) MB (ratio \(fmt(peak * 1e6 / rawBytes)))")
        print("runs: \(runs) of Strata → CSV, of each SQL statement and of Strata with indexes, \(max(1, runs / 2)) of the others; medians")
        print("offline: seconds=\(fmt(strataCSV)) ratio_to_best_sql=\(fmt(strataCSV / bestSQL, 3)) rows_per_s=\(Int(Double(spineRows) / strataCSV)) peak_rss_mb=\(fmt(peak, 0))")
    }

    /// The features of `service` from views that are not aggregation views: the point-in-time join's share.
    static func plainReferences(service: String, in repository: Repository) throws -> [FeatureReference] {
        guard let found = repository.featureService(named: service) else { throw BenchError("no feature service \(service)") }
        return found.features.filter { repository.featureView(named: $0.view)?.isAggregation == false }
    }

    /// Bytes of the result held as plain arrays: spine columns and features at their natural widths.
    static func resultRawBytes(rows: Int, selection: FeatureSelection) -> Double {
        let spineWidth = 8 + 8 + 8 + 1
        let featureWidth = selection.groups.flatMap(\.features).reduce(0) { total, feature in
            let width: Int = switch feature.type {
            case .float64, .int64, .timestamp: 8
            case .float32, .int32: 4
            case .bool: 1
            case .string: 8
            }
            return total + width
        }
        return Double(rows * (spineWidth + featureWidth))
    }

    static func copyToFile(_ db: PostgresConnection, _ sql: String, path: String) throws {
        guard let file = fopen(path, "w") else { throw BenchError("cannot write \(path)") }
        defer { fclose(file) }
        try db.copyOutRaw(sql) { bytes in _ = fwrite(bytes.baseAddress, 1, bytes.count, file) }
    }

    /// Whether two result tables hold the same rows, value for value (EXCEPT ALL both ways).
    static func sameRows(_ db: PostgresConnection, _ a: String, _ b: String) throws -> Bool {
        let x = try SQLIdentifier.quote(a), y = try SQLIdentifier.quote(b)
        let rows = try db.execute(
            "SELECT (SELECT count(*) FROM (SELECT * FROM \(x) EXCEPT ALL SELECT * FROM \(y)) d) + (SELECT count(*) FROM (SELECT * FROM \(y) EXCEPT ALL SELECT * FROM \(x)) e)")
        return rows.int(0, 0) == 0
    }
}

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
/// hand-written single SQL statements for the same result, measured in the same run.
enum OfflineSuite {
    static let service = "driver_ranking"

    static func run(_ arguments: [String]) throws {
        let small = arguments.contains("--small")
        let runs = arguments.firstIndex(of: "--runs").flatMap { Int(arguments[$0 + 1]) } ?? 3
        let size: SampleData.Size = small ? .init(drivers: 1000, customers: 2000, days: 30) : .benchmark
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
        try db.executeScript(
            """
            DROP TABLE IF EXISTS bench_spine;
            SELECT setseed(0.42);
            CREATE TABLE bench_spine AS
            SELECT \(SampleData.firstDriverID) + floor(random() * \(size.drivers))::bigint AS driver_id,
                   \(SampleData.firstCustomerID) + floor(random() * \(size.customers))::bigint AS customer_id,
                   date_trunc('second', '\(UTCTimestamp.format(sample.start))'::timestamptz + random() * interval '\(size.days) days') AS event_timestamp,
                   random() < 0.3 AS label
            FROM generate_series(1, \(spineRows));
            ANALYZE bench_spine;
            """)
        print("  generated in \(fmt(loadSeconds, 1)) s")

        let schemaFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("schemas").path
        let registry = try Registry(connection: db)
        let repository = try SchemaLoader.load(directory: schemaFolder)
        try registry.apply(repository)
        let selection = try FeatureSelection.resolve(service: service, in: repository)

        let strata = ChildProcess.binaryFolder + "/strata"
        guard FileManager.default.isExecutableFile(atPath: strata) else {
            throw BenchError("\(strata) is missing: build it first with `swift build -c release`")
        }
        let csvPath = NSTemporaryDirectory() + "strata-bench-offline.csv"
        defer { try? FileManager.default.removeItem(atPath: csvPath) }

        func strataRun(_ output: String, strategy: String = "automatic") throws -> ChildProcess.Outcome {
            let outcome = try ChildProcess.run(
                strata,
                ["training-set", "--service", service, "--spine", "bench_spine", "--output", output,
                 "--strategy", strategy],
                environment: ["STRATA_POSTGRES_URL": servers.postgresURL])
            guard outcome.status == 0 else { throw BenchError("strata training-set exited \(outcome.status)") }
            return outcome
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

        let windowSQL = try HandWrittenSQL.window(selection: selection, spine: "bench_spine")
        var windowRuns: [Double] = []
        for _ in 0..<max(1, runs / 2) {
            windowRuns.append(try Measure.seconds {
                try copyToFile(db, "COPY (\(windowSQL)) TO STDOUT (FORMAT csv, HEADER)", path: csvPath)
            })
        }
        try db.execute("DROP TABLE IF EXISTS bench_sql_out")
        try db.execute("CREATE TABLE bench_sql_out AS \(windowSQL)")
        let windowAgrees = try sameRows(db, "bench_sql_out", "bench_out_0")

        print("  creating indexes on (join key, event_timestamp)…")
        try db.executeScript(
            """
            CREATE INDEX bench_dhs ON driver_hourly_stats (driver_id, event_timestamp);
            CREATE INDEX bench_cdp ON customer_daily_profile (customer_id, event_timestamp);
            CREATE INDEX bench_dq ON driver_quality (driver_id, event_timestamp);
            ANALYZE driver_hourly_stats; ANALYZE customer_daily_profile; ANALYZE driver_quality;
            """)
        let lateralSQL = try HandWrittenSQL.lateral(selection: selection, spine: "bench_spine")
        var lateralRuns: [Double] = []
        for _ in 0..<max(1, runs / 2) {
            lateralRuns.append(try Measure.seconds {
                try copyToFile(db, "COPY (\(lateralSQL)) TO STDOUT (FORMAT csv, HEADER)", path: csvPath)
            })
        }
        try db.execute("DROP TABLE bench_sql_out")
        try db.execute("CREATE TABLE bench_sql_out AS \(lateralSQL)")
        let lateralAgrees = try sameRows(db, "bench_sql_out", "bench_out_0")
        var indexedRuns: [ChildProcess.Outcome] = []
        for _ in 0..<max(1, runs / 2) { indexedRuns.append(try strataRun(csvPath)) }
        let strataIndexed = Measure.median(indexedRuns.map(\.seconds))
        var lateralStrataRuns: [ChildProcess.Outcome] = []
        for _ in 0..<max(1, runs / 2) { lateralStrataRuns.append(try strataRun(csvPath, strategy: "lateral")) }
        let strataLateral = Measure.median(lateralStrataRuns.map(\.seconds))
        try db.executeScript("DROP INDEX bench_dhs; DROP INDEX bench_cdp; DROP INDEX bench_dq; DROP TABLE bench_sql_out;")
        for i in 0..<runs { try db.execute("DROP TABLE IF EXISTS bench_out_\(i)") }

        let window = Measure.median(windowRuns)
        let lateral = Measure.median(lateralRuns)
        let bestSQL = min(window, lateral)
        let feast = 200.0
        var table = ResultTable("\(spineRows)-row spine, 3 views, \(selection.references.count) features", "seconds", "vs Strata CSV")
        table.add("Strata → CSV (end to end, no indexes)", fmt(strataCSV), "1.00")
        table.add("Strata → table (end to end, no indexes)", fmt(strataTable), fmt(strataTable / strataCSV))
        table.add(
            "Strata → CSV, sort-merge strategy (peak \(fmt(sortMergeRuns.map(\.peakRSSMegabytes).max() ?? 0, 0)) MB)",
            fmt(Measure.median(sortMergeRuns.map(\.seconds))), fmt(Measure.median(sortMergeRuns.map(\.seconds)) / strataCSV))
        table.add("SQL window formulation + COPY out, no indexes", fmt(window), fmt(window / strataCSV))
        table.add("SQL LATERAL per spine row + COPY out, with indexes", fmt(lateral), fmt(lateral / strataCSV))
        table.add("Strata → CSV with indexes (automatic strategy)", fmt(strataIndexed), fmt(strataIndexed / strataCSV))
        table.add("Strata → CSV with indexes (forced lateral)", fmt(strataLateral), fmt(strataLateral / strataCSV))
        table.add("Feast 0.67, same shape (reference, not run here)", "200–242", fmt(feast / strataCSV))
        print(table.render())
        print("same rows as Strata, value for value: window SQL \(windowAgrees ? "yes" : "NO"), LATERAL SQL \(lateralAgrees ? "yes" : "NO")")
        print("peak RSS of strata → CSV: \(fmt(peak, 0)) MB; the result's raw size: \(fmt(rawBytes / 1e6, 0)) MB (ratio \(fmt(peak * 1e6 / rawBytes)))")
        print("runs: \(runs) for Strata, \(max(1, runs / 2)) for each SQL statement; medians")
        print("offline: seconds=\(fmt(strataCSV)) ratio_to_best_sql=\(fmt(strataCSV / bestSQL, 3)) rows_per_s=\(Int(Double(spineRows) / strataCSV)) peak_rss_mb=\(fmt(peak, 0))")
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

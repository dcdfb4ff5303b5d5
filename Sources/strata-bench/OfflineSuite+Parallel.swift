import Foundation
import StrataColumnar
import StrataExample
import StrataOffline
import StrataPostgres

extension OfflineSuite {
    /// `offline --parallel`: the same training set read over 1 (serial), 2 and 3 connections and over the
    /// automatic count, with the extraction and the sort-merge strategies, first on the plain tables, then
    /// with `driver_hourly_stats` (the largest view) partitioned by week of its event time. Every result
    /// must equal the serial one byte for byte. The runs of each setting are interleaved, so that load
    /// changes during the suite fall on every setting alike.
    static func parallelFigures(
        db: PostgresConnection, sample: SampleData, selection: FeatureSelection, spineRows: Int, runs: Int, csvPath: String,
        strataRun: (_ output: String, _ strategy: String, _ parallel: String) throws -> ChildProcess.Outcome
    ) throws {
        let settings = try db.execute(
            "SELECT current_setting('max_parallel_workers'), pg_size_pretty(pg_total_relation_size('driver_hourly_stats'))")
        print("  max_parallel_workers \(settings.string(0, 0) ?? "?"), driver_hourly_stats \(settings.string(0, 1) ?? "?"), \(ProcessInfo.processInfo.activeProcessorCount) cores")
        let settingsToRun: [(strategy: String, parallel: String)] = [
            ("extraction", "1"), ("extraction", "2"), ("extraction", "3"), ("extraction", "auto"), ("sort-merge", "1"), ("sort-merge", "2"),
        ]
        // `strata training-set` writes only to a .csv file (or a table).
        let serialPath = (csvPath.hasSuffix(".csv") ? String(csvPath.dropLast(4)) : csvPath) + "-serial.csv"
        let serialFile = BenchCleanup.shared.temporary(serialPath)
        defer { BenchCleanup.shared.finish(serialFile) }

        /// Median seconds and peak RSS (MB) per setting; throws when a result differs from the serial one.
        func measure(_ layout: String) throws -> (seconds: [Double], peakMB: [Double]) {
            _ = try strataRun(serialPath, "extraction", "1")
            let serial = try Data(contentsOf: URL(fileURLWithPath: serialPath))
            var seconds = [[Double]](repeating: [], count: settingsToRun.count)
            var peaks = [[Double]](repeating: [], count: settingsToRun.count)
            for _ in 0..<runs {
                for (i, setting) in settingsToRun.enumerated() {
                    let outcome = try strataRun(csvPath, setting.strategy, setting.parallel)
                    seconds[i].append(outcome.seconds)
                    peaks[i].append(outcome.peakRSSMegabytes)
                    guard try Data(contentsOf: URL(fileURLWithPath: csvPath)) == serial else {
                        throw BenchError("\(layout): --strategy \(setting.strategy) --parallel \(setting.parallel) differs from the serial result")
                    }
                }
            }
            return (seconds.map(Measure.median), peaks.map(Measure.median))
        }

        // PostgreSQL's side alone: the views' rows as Strata selects them, COPY'd out in binary and
        // thrown away, on one connection; the part of a read that a server with more cores divides.
        let serverSide = try (0..<runs).map { _ in
            try Measure.seconds {
                for group in selection.groups {
                    let read = try SourceSelection(source: group.source, entities: group.entities, features: group.view.features)
                    let filter = read.createdIsPresent.map { " WHERE \($0)" } ?? ""
                    try copyToFile(db, "COPY (SELECT \(read.list) FROM \(read.table)\(filter)) TO STDOUT (FORMAT binary)", path: "/dev/null")
                }
            }
        }
        let (plain, plainPeaks) = try measure("plain tables")
        print("  partitioning driver_hourly_stats by week of event_timestamp…")
        try partitionDriverHourlyStats(db, sample: sample)
        let (partitioned, partitionedPeaks) = try measure("partitioned driver_hourly_stats")

        var table = ResultTable(
            "\(spineRows)-row spine, 3 views, Strata → CSV", "plain s", "vs serial", "peak MB", "partitioned s", "vs serial", "peak MB")
        for (i, setting) in settingsToRun.enumerated() {
            let serialIndex = setting.strategy == "extraction" ? 0 : 4
            table.add(
                "--strategy \(setting.strategy) --parallel \(setting.parallel)", fmt(plain[i]), fmt(plain[serialIndex] / plain[i]),
                String(Int(plainPeaks[i])), fmt(partitioned[i]), fmt(partitioned[serialIndex] / partitioned[i]),
                String(Int(partitionedPeaks[i])))
        }
        table.add("PostgreSQL alone: binary COPY of the views' rows to /dev/null, 1 connection", fmt(Measure.median(serverSide)), "", "", "", "", "")
        print(table.render())
        print("every result equal to the serial one byte for byte; medians of \(runs) interleaved runs per setting; 'vs serial' is the speed-up over --parallel 1 of the same strategy; peak MB: the strata process's peak RSS")
        print(
            "offline: serial_s=\(fmt(plain[0])) parallel2_s=\(fmt(plain[1])) parallel3_s=\(fmt(plain[2])) auto_s=\(fmt(plain[3])) speedup2=\(fmt(plain[0] / plain[1])) partitioned_serial_s=\(fmt(partitioned[0])) partitioned_parallel2_s=\(fmt(partitioned[1])) partitioned_speedup2=\(fmt(partitioned[0] / partitioned[1])) server_copy_s=\(fmt(Measure.median(serverSide)))")
    }

    /// Replaces `driver_hourly_stats` by a table partitioned by range of `event_timestamp`, one partition
    /// per week of the data and a default one, holding the same rows.
    static func partitionDriverHourlyStats(_ db: PostgresConnection, sample: SampleData) throws {
        let week = Int64(7 * 86_400) * UTCTimestamp.microsPerSecond
        var script = """
            DROP TABLE IF EXISTS driver_hourly_stats_plain;
            ALTER TABLE driver_hourly_stats RENAME TO driver_hourly_stats_plain;
            CREATE TABLE driver_hourly_stats (LIKE driver_hourly_stats_plain) PARTITION BY RANGE (event_timestamp);
            CREATE TABLE driver_hourly_stats_rest PARTITION OF driver_hourly_stats DEFAULT;

            """
        var from = sample.start
        var n = 0
        while from < sample.end {
            script += """
                CREATE TABLE driver_hourly_stats_w\(n) PARTITION OF driver_hourly_stats
                    FOR VALUES FROM ('\(UTCTimestamp.format(from))') TO ('\(UTCTimestamp.format(from + week))');

                """
            from += week
            n += 1
        }
        script += """
            INSERT INTO driver_hourly_stats SELECT * FROM driver_hourly_stats_plain;
            DROP TABLE driver_hourly_stats_plain;
            """
        try db.executeScript(script)
        // VACUUM runs outside a transaction block, so not in the script.
        try db.execute("VACUUM (ANALYZE) driver_hourly_stats")
    }
}

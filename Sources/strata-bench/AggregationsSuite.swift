import Foundation
import StrataColumnar
import StrataCore
import StrataExample
import StrataOffline
import StrataOnline
import StrataPostgres
import StrataRedis
import StrataRegistry

/// `aggregations`: the offline suite's shape with the ride-hailing sample's ~6M trips and a 1M-row
/// spine, 12 windowed aggregates of view `driver_trips` (count, sum, mean and max over 1h, 1d and 7d,
/// hop 1h). Strata end to end (the release `strata` binary) beside, in the same run, the best
/// hand-written PostgreSQL (`AggregationSQL`, checked equal to Strata's result cell for cell) and the
/// plain point-in-time training set of the same spine; then online: the view materialised, lookups of
/// its 7d aggregates (168 tiles) beside lookups of a plain view, and Redis bytes per entity.
enum AggregationsSuite {
    static let view = "driver_trips"
    static let measured = [
        "trips_1h", "trips_1d", "trips_7d", "fare_sum_1h", "fare_sum_1d", "fare_sum_7d",
        "fare_mean_1h", "fare_mean_1d", "fare_mean_7d", "fare_max_1h", "fare_max_1d", "fare_max_7d",
    ]

    static func run(_ arguments: [String]) throws {
        let small = arguments.contains("--small")
        let runs = arguments.firstIndex(of: "--runs").flatMap { arguments.count > $0 + 1 ? Int(arguments[$0 + 1]) : nil } ?? 3
        let lookups = arguments.firstIndex(of: "--lookups").flatMap { arguments.count > $0 + 1 ? Int(arguments[$0 + 1]) : nil } ?? 20_000
        let size: SampleData.Size = small ? .init(drivers: 1000, customers: 2000, days: 30) : .benchmark
        let spineRows = small ? 100_000 : 1_000_000
        let servers = try BenchServers()
        defer { servers.stop() }
        let db = try PostgresConnection(url: servers.postgresURL)
        try db.execute("SET work_mem = '256MB'")

        // The data ends at today's midnight, so that the tiles are still inside their windows online.
        let day: Int64 = 86_400_000_000
        let today = Int64(Date().timeIntervalSince1970 * 1e6) / day * day
        let sample = SampleData(size: size, start: today - Int64(size.days) * day)
        print("aggregations: generating \(size.drivers) drivers × \(size.days) days (~\(Int(Double(size.drivers * size.days) * size.tripsPerDriverDay)) trips), a \(spineRows)-row spine…")
        let loadSeconds = try Measure.seconds {
            let counts = try sample.load(into: db)
            print("  trips \(counts.trips) rows, driver_hourly_stats \(counts.driverHourlyStats), customer_daily_profile \(counts.customerDailyProfile), driver_quality \(counts.driverQuality)")
        }
        try BenchSample.createSpine(db, sample: sample, rows: spineRows)
        print("  generated in \(fmt(loadSeconds, 1)) s")

        let repository = try BenchSample.applySchemas(db)
        let registry = try Registry(connection: db)
        guard let trips = repository.featureView(named: view), let source = repository.source(named: trips.source) else {
            throw BenchError("schemas/ has no aggregation view \(view)")
        }
        let aggregations = try measured.map { name in
            guard let found = trips.aggregations?.first(where: { $0.name == name }) else { throw BenchError("\(view) has no \(name)") }
            return found
        }
        let aggregated = measured.map { "\(view):\($0)" }.joined(separator: ",")
        let plain = try OfflineSuite.plainReferences(service: OfflineSuite.service, in: repository).map(\.description).joined(separator: ",")

        let strata = ChildProcess.binaryFolder + "/strata"
        guard FileManager.default.isExecutableFile(atPath: strata) else {
            throw BenchError("\(strata) is missing: build it first with `swift build -c release`")
        }
        let csvPath = NSTemporaryDirectory() + "strata-bench-aggregations.csv"
        let csvFile = BenchCleanup.shared.temporary(csvPath)
        defer { BenchCleanup.shared.finish(csvFile) }
        func strataRun(_ features: String, _ output: String) throws -> ChildProcess.Outcome {
            let outcome = try ChildProcess.run(
                strata, ["training-set", "--features", features, "--spine", "bench_spine", "--output", output],
                environment: ["STRATA_POSTGRES_URL": servers.postgresURL])
            guard outcome.status == 0 else { throw BenchError("strata training-set exited \(outcome.status)") }
            return outcome
        }

        // Strata and the plain as-of set take turns, so that neither runs on the other's warm caches.
        var aggregateRuns: [ChildProcess.Outcome] = []
        var asOfRuns: [ChildProcess.Outcome] = []
        for _ in 0..<runs {
            aggregateRuns.append(try strataRun(aggregated, csvPath))
            asOfRuns.append(try strataRun(plain, csvPath))
        }
        try db.execute("DROP TABLE IF EXISTS bench_agg_out")
        _ = try strataRun(aggregated, "pg:bench_agg_out")
        let strataSeconds = Measure.median(aggregateRuns.map(\.seconds))
        let asOfSeconds = Measure.median(asOfRuns.map(\.seconds))
        let peak = aggregateRuns.map(\.peakRSSMegabytes).max() ?? 0

        print("  creating the baseline's index on trips (driver_id, event_timestamp) INCLUDE (fare)…")
        try db.execute("CREATE INDEX bench_trips ON trips (driver_id, event_timestamp) INCLUDE (fare)")
        try db.execute("VACUUM ANALYZE trips")
        let sql = try AggregationSQL.lateral(view: trips, source: source, aggregations: aggregations, spine: "bench_spine")
        var sqlRuns: [Double] = []
        for _ in 0..<max(1, runs / 2) {
            sqlRuns.append(try Measure.seconds {
                try OfflineSuite.copyToFile(db, "COPY (\(sql)) TO STDOUT (FORMAT csv, HEADER)", path: csvPath)
            })
        }
        let sqlSeconds = Measure.median(sqlRuns)
        try db.execute("DROP TABLE IF EXISTS bench_agg_sql")
        try db.execute("CREATE TABLE bench_agg_sql AS \(sql)")
        let differing = try AggregationSQL.differingCells(db, "bench_agg_out", "bench_agg_sql", aggregations: aggregations, view: view)
        try db.executeScript("DROP INDEX bench_trips; DROP TABLE bench_agg_sql; DROP TABLE bench_agg_out;")

        let online = try measureOnline(
            registry: registry, repository: repository, redisURL: servers.redisURL, end: sample.end, drivers: size.drivers,
            lookups: lookups)

        var table = ResultTable("\(spineRows)-row spine, \(measured.count) aggregates over ~6M trips", "seconds", "vs Strata")
        table.add("Strata → CSV (end to end, no index)", fmt(strataSeconds), "1.00")
        table.add("hand-written SQL: LATERAL per spine row, index-only, + COPY out", fmt(sqlSeconds), fmt(sqlSeconds / strataSeconds))
        table.add("Strata → CSV, plain point-in-time set of the same spine (8 features, 3 views)", fmt(asOfSeconds), fmt(asOfSeconds / strataSeconds))
        print(table.render())
        print("the SQL result equals Strata's cell for cell (sums and means within 1e-9): \(differing == 0 ? "yes" : "NO, \(differing) cells differ")")
        print("peak RSS of strata → CSV: \(fmt(peak, 0)) MB; runs: \(runs) of Strata and of the plain set (alternating), \(sqlRuns.count) of the SQL; medians")
        var lookupTable = ResultTable("online, \(size.drivers) drivers, lookups of 1 entity", "p50 µs", "p99 µs", "p99 vs plain")
        lookupTable.add("driver_trips: 4 aggregates over 7d (168 tiles of 1h)", fmt(online.aggregate50, 1), fmt(online.aggregate99, 1), fmt(online.aggregate99 / online.plain99, 3))
        lookupTable.add("driver_hourly_stats: 3 plain features", fmt(online.plain50, 1), fmt(online.plain99, 1), "1.000")
        print(lookupTable.render())
        print("materialised \(view) for \(online.entities) drivers in \(fmt(online.materializeSeconds)) s; Redis bytes per entity (MEMORY USAGE over the view's keys): \(fmt(online.bytesPerEntity, 0)), \(fmt(online.bytesPerEntity / Double(trips.aggregations?.count ?? 1), 1)) per aggregate of the view's \(trips.aggregations?.count ?? 0)")
        print(
            "aggregations: seconds=\(fmt(strataSeconds)) ratio_to_best_sql=\(fmt(strataSeconds / sqlSeconds, 3)) ratio_to_asof=\(fmt(strataSeconds / asOfSeconds, 3)) online_p99_ratio=\(fmt(online.aggregate99 / online.plain99, 3)) bytes_per_entity=\(fmt(online.bytesPerEntity, 0))")
    }

    struct OnlineFigures {
        var entities: Int
        var materializeSeconds: Double
        var bytesPerEntity: Double
        var aggregate50: Double
        var aggregate99: Double
        var plain50: Double
        var plain99: Double
    }

    /// Materialises the aggregation view alone (to measure its bytes), then the plain view, and times
    /// single-entity lookups of both, taking turns.
    static func measureOnline(
        registry: Registry, repository: Repository, redisURL: String, end: Int64, drivers: Int, lookups: Int
    ) throws -> OnlineFigures {
        let redis = try RedisConnection(url: RedisURL(redisURL), timeout: .seconds(120))
        _ = try redis.command("FLUSHDB")
        let materializer = Materializer(registry: registry, redis: redis)
        var entities = 0
        let materializeSeconds = try Measure.seconds {
            entities = try materializer.materialize(project: repository.project, views: [view], start: nil, end: end).views.first?.entities ?? 0
        }
        let bytes = try OnlineSuite.memoryUsage(redis)
        try materializer.materialize(project: repository.project, views: ["driver_hourly_stats"], start: nil, end: end)
        let store = OnlineStore(redis: redis, repository: repository)
        let aggregate = try OnlineQuery(
            ["trips_7d", "fare_sum_7d", "fare_mean_7d", "fare_max_7d"].map { FeatureReference(view: view, feature: $0) }, in: repository)
        let plain = try OnlineQuery(
            ["conv_rate", "acc_rate", "avg_daily_trips"].map { FeatureReference(view: "driver_hourly_stats", feature: $0) }, in: repository)
        var rng = SplitMix64(seed: 11)
        let frames = (0..<1000).map { _ in
            Frame(names: ["driver_id"], columns: [Column(int64: [SampleData.firstDriverID + Int64(rng.next() % UInt64(drivers))])])
        }
        var aggregateTimes: [Double] = [], plainTimes: [Double] = []
        for i in 0..<lookups {
            let frame = frames[i % frames.count]
            let a = { aggregateTimes.append(Double(try Self.nanoseconds { _ = try store.onlineFeatures(aggregate, entities: frame, at: end) })) }
            let p = { plainTimes.append(Double(try Self.nanoseconds { _ = try store.onlineFeatures(plain, entities: frame, at: end) })) }
            if i % 2 == 0 { try a(); try p() } else { try p(); try a() }
        }
        return OnlineFigures(
            entities: entities, materializeSeconds: materializeSeconds, bytesPerEntity: bytes / Double(max(1, entities)),
            aggregate50: Measure.percentile(aggregateTimes, 50) / 1000, aggregate99: Measure.percentile(aggregateTimes, 99) / 1000,
            plain50: Measure.percentile(plainTimes, 50) / 1000, plain99: Measure.percentile(plainTimes, 99) / 1000)
    }

    static func nanoseconds(_ body: () throws -> Void) rethrows -> UInt64 {
        let start = Measure.now()
        try body()
        return Measure.now() - start
    }
}

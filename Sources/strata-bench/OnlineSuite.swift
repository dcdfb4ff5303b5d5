import Foundation
import StrataColumnar
import StrataCore
import StrataOnline
import StrataPostgres
import StrataRedis
import StrataRegistry

/// `online`: 1M drivers × one view of 5 features and 1M customers × one view of 3 features (two source
/// rows per entity), materialised into Redis beside the fastest pipelined plain SETs of records of the
/// same size; lookups of one entity per view and of 100 entities beside MGETs of the same records and
/// HGETs of the same buckets; Redis memory per stored value. Every raw baseline is sent the fastest
/// way a client can (`RawRESP`), and `redis-benchmark -P 64` is printed beside as a second reference. Options: `--entities N` (per view, default 1,000,000),
/// `--runs N` (default 3), `--lookups N` (single-entity calls, default 100,000), `--lookup-only`
/// (materialise once, then measure only the lookups), `--cluster` (the same on a throwaway local Redis Cluster,
/// `ClusterOnlineSuite`). The suite empties the Redis database it is given.
enum OnlineSuite {
    static let project = "bench"
    static let end = UTCTimestamp.parse("2026-02-01T00:00:00Z")!

    static func run(_ arguments: [String]) throws {
        if arguments.contains("--cluster") { return try ClusterOnlineSuite.run(arguments) }
        var entities = 1_000_000
        var runs = 3
        var lookups = 100_000
        var lookupOnly = false
        var index = 0
        while index < arguments.count {
            if arguments[index] == "--lookup-only" {
                lookupOnly = true
                index += 1
                continue
            }
            let value = index + 1 < arguments.count ? Int(arguments[index + 1]) : nil
            switch arguments[index] {
            case "--entities": entities = value ?? entities
            case "--runs": runs = value ?? runs
            case "--lookups": lookups = value ?? lookups
            default: break
            }
            index += 2
        }
        let servers = try BenchServers()
        defer { servers.stop() }
        let db = try PostgresConnection(url: servers.postgresURL)
        let redisURL = try RedisURL(servers.redisURL)
        let redis = try RedisConnection(url: redisURL, timeout: .seconds(120))
        let raw = try RawRESP(url: redisURL)

        log("generating \(entities) drivers and \(entities) customers, two source rows each")
        let generate = try Measure.seconds { try generateSources(db, entities: entities) }
        log("  in \(fmt(generate, 1)) s")
        let registry = try Registry(connection: db)
        try registry.apply(repository())
        let materializer = Materializer(registry: registry, redis: redis)

        var materializeRates: [Double] = []
        var setRates: [Double] = []
        var memoryPerValue: [Double] = []
        var usedMemoryPerValue: [Double] = []
        var recordSizes: [Int] = []
        var rerunRates: [Double] = []
        var copyRates: [Double] = []
        var sequential = 0.0
        if !lookupOnly {
            let values = Double(entities * 8)
            for round in 0..<runs {
                _ = try redis.command("FLUSHDB")
                let baseline = try usedMemory(redis)
                let seconds = try Measure.seconds {
                    try materializer.materialize(project: project, start: nil, end: end)
                }
                materializeRates.append(Double(2 * entities) / seconds)
                usedMemoryPerValue.append(Double(try usedMemory(redis) - baseline) / values)
                rerunRates.append(Double(2 * entities) / (try Measure.seconds {
                    try materializer.materialize(project: project, start: nil, end: end)
                }))
                if round == 0 {
                    memoryPerValue.append(try memoryUsage(redis) / values)
                    recordSizes = try sampleRecordSizes(redis)
                }
                _ = try redis.command("FLUSHDB")
                setRates.append(try setLimit(raw, redis, entities: entities, recordSizes: recordSizes))
                _ = try redis.command("FLUSHDB")
                log("  run \(round + 1): materialise \(Int(materializeRates.last!)) entities/s, pipelined SET \(Int(setRates.last!)) entities/s")
            }
            for _ in 0..<runs {
                let seconds = try Measure.seconds { try copyLatestRows(db) }
                copyRates.append(Double(2 * entities) / seconds)
            }
            materializer.overlapsWrites = false
            sequential = Double(2 * entities) / (try Measure.seconds {
                try materializer.materialize(project: project, start: nil, end: end)
            })
            materializer.overlapsWrites = true
        }
        _ = try redis.command("FLUSHDB")
        try materializer.materialize(project: project, start: nil, end: end)
        let fraction = Measure.median(materializeRates) / Measure.median(setRates)

        let repositoryValue = try registry.repository(project: project)
        let store = OnlineStore(redis: redis, repository: repositoryValue)
        let query = try OnlineQuery(service: "ranking", in: repositoryValue)
        var rng = SplitMix64(seed: 7)
        let single = (0..<1000).map { _ in randomEntities(1, entities: entities, rng: &rng) }
        let batches = (0..<200).map { _ in randomEntities(100, entities: entities, rng: &rng) }
        let stringKeys = try copyToStringKeys(redis, frames: single + batches)

        log("lookups: \(lookups) calls of one entity per view, \(lookups / 20) calls of 100")
        var strataSingle: [Double] = [], rawSingle: [Double] = [], rawHashSingle: [Double] = []
        let singleHashRequests = single.map { hgetRequest(hashKeys($0)) }
        let mgetRequests = stringKeys.map(mgetRequest)
        for _ in 0..<2 {
            strataSingle = []
            rawSingle = []
            rawHashSingle = []
            strataSingle.reserveCapacity(lookups)
            for i in 0..<lookups {
                let frame = single[i % single.count]
                // Whoever reads the buckets first finds them cold in Redis's caches, so Strata and the raw
                // HGETs of the same buckets take turns going first; the MGET reads keys of its own.
                if i % 2 == 0 {
                    strataSingle.append(try timed { _ = try store.onlineFeatures(query, entities: frame, at: end) })
                    rawHashSingle.append(timed { raw.roundTrip(singleHashRequests[i % single.count], replies: 2) })
                } else {
                    rawHashSingle.append(timed { raw.roundTrip(singleHashRequests[i % single.count], replies: 2) })
                    strataSingle.append(try timed { _ = try store.onlineFeatures(query, entities: frame, at: end) })
                }
                rawSingle.append(timed { raw.roundTrip(mgetRequests[i % single.count], replies: 1) })
            }
        }
        var strataBatch: [Double] = [], rawBatch: [Double] = [], rawHashBatch: [Double] = []
        let batchCalls = max(lookups / 20, 200)
        let batchHashRequests = batches.map { hgetRequest(hashKeys($0)) }
        for i in 0..<batchCalls {
            let frame = batches[i % batches.count]
            if i % 2 == 0 {
                strataBatch.append(try timed { _ = try store.onlineFeatures(query, entities: frame, at: end) })
                rawHashBatch.append(timed { raw.roundTrip(batchHashRequests[i % batches.count], replies: 200) })
            } else {
                rawHashBatch.append(timed { raw.roundTrip(batchHashRequests[i % batches.count], replies: 200) })
                strataBatch.append(try timed { _ = try store.onlineFeatures(query, entities: frame, at: end) })
            }
            rawBatch.append(timed { raw.roundTrip(mgetRequests[single.count + i % batches.count], replies: 1) })
        }

        func us(_ values: [Double], _ p: Double) -> String { fmt(Measure.percentile(values, p) / 1000, 1) }
        var table = ResultTable("measure", "Strata", "raw baseline", "ratio", "baseline")
        if !lookupOnly {
            table.add(
                "materialise, entities/s (median of \(runs))", "\(Int(Measure.median(materializeRates)))",
                "\(Int(Measure.median(setRates)))", fmt(fraction, 3), "pipelined SET of same-size records, pre-encoded RESP, one write per batch")
            table.add(
                "  same, without overlapping reads and writes (1 run)", "\(Int(sequential))", "", fmt(sequential / Measure.median(setRates), 3), "")
            table.add(
                "  rerun: every entity exists (newer-wins function)", "\(Int(Measure.median(rerunRates)))", "",
                fmt(Measure.median(rerunRates) / Measure.median(setRates), 3), "")
            table.add(
                "  of which PostgreSQL latest rows + binary COPY alone", "", "\(Int(Measure.median(copyRates)))", "",
                "entities/s reading, no Redis")
        }
        for (label, p) in [("lookup 1 entity × 2 views p50, µs", 50.0), ("lookup 1 entity × 2 views p99, µs", 99.0)] {
            table.add(label, us(strataSingle, p), us(rawSingle, p), fmt(Measure.percentile(strataSingle, p) / Measure.percentile(rawSingle, p), 3), "MGET of 2 string keys, pre-encoded RESP")
            table.add("", "", us(rawHashSingle, p), fmt(Measure.percentile(strataSingle, p) / Measure.percentile(rawHashSingle, p), 3), "2 HGET (same layout), pre-encoded, one write")
        }
        for (label, p) in [("lookup 100 entities × 2 views p50, µs", 50.0), ("lookup 100 entities × 2 views p99, µs", 99.0)] {
            table.add(label, us(strataBatch, p), us(rawBatch, p), fmt(Measure.percentile(strataBatch, p) / Measure.percentile(rawBatch, p), 3), "MGET of 200 string keys, pre-encoded RESP")
            table.add("", "", us(rawHashBatch, p), fmt(Measure.percentile(strataBatch, p) / Measure.percentile(rawHashBatch, p), 3), "200 HGET (same layout), pre-encoded, one write")
        }
        if !lookupOnly {
            table.add("Redis bytes per value (MEMORY USAGE)", fmt(Measure.median(memoryPerValue), 1), "", "", "reference, not measured here: Feast's layout ≈ 65")
            table.add("Redis bytes per value (INFO used_memory)", fmt(Measure.median(usedMemoryPerValue), 1), "", "", "")
        }
        let benchmark = try RedisBenchmark.run(url: redisURL, recordSize: recordSizes.first ?? 52)
        _ = try redis.command("FLUSHDB")
        if let benchmark {
            table.add(
                "redis-benchmark -P 64, 50 clients: SET ops/s", lookupOnly ? "" : "\(Int(Measure.median(materializeRates)))",
                "\(Int(benchmark.set))", lookupOnly ? "" : fmt(Measure.median(materializeRates) / benchmark.set, 3),
                "second reference: the server's SET throughput over 50 connections")
            table.add("redis-benchmark -P 64, 50 clients: MGET of 2 keys ops/s", "", "\(Int(benchmark.mget))", "", "")
            table.add("redis-benchmark -P 64, 50 clients: HGET ops/s", "", "\(Int(benchmark.hget))", "", "")
        }
        let materialised = lookupOnly ? "lookups only" : "records \(recordSizes.map(String.init).joined(separator: "/")) bytes; \(runs) materialisation runs"
        print("online: \(entities) drivers × 5 features + \(entities) customers × 3 features; \(materialised); \(strataSingle.count) single and \(strataBatch.count) batch lookups")
        print(table.render())
        let batchP50 = Measure.percentile(strataBatch, 50)
        let lookupFigures = "lookup_p99_ratio=\(fmt(Measure.percentile(strataSingle, 99) / Measure.percentile(rawSingle, 99), 3)) batch100_p50_ms=\(fmt(batchP50 / 1e6, 3)) batch100_p50_ratio=\(fmt(batchP50 / Measure.percentile(rawBatch, 50), 3))"
        if lookupOnly {
            print("online (lookups only): \(lookupFigures) batch100_p50_hget_ratio=\(fmt(batchP50 / Measure.percentile(rawHashBatch, 50), 3))")
            return
        }
        let benchmarkFraction = benchmark.map { fmt(Measure.median(materializeRates) / $0.set, 3) } ?? "nan"
        print(
            "online: materialize_fraction_of_set_limit=\(fmt(fraction, 3)) materialize_fraction_of_redis_benchmark=\(benchmarkFraction) \(lookupFigures) bytes_per_value=\(fmt(Measure.median(memoryPerValue), 1))")
    }

    static func log(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    static func timed(_ body: () throws -> Void) rethrows -> Double {
        let start = Measure.now()
        try body()
        return Double(Measure.now() - start)
    }

    static func repository() -> Repository {
        Repository(
            project: project,
            entities: [Entity(name: "driver", joinKey: "driver_id", type: .int64), Entity(name: "customer", joinKey: "customer_id", type: .int64)],
            sources: [
                Source(name: "bench_drivers", table: "bench_drivers", timestampColumn: "event_timestamp", createdTimestampColumn: "created"),
                Source(name: "bench_customers", table: "bench_customers", timestampColumn: "event_timestamp", createdTimestampColumn: "created"),
            ],
            featureViews: [
                FeatureView(
                    name: "drivers", entities: ["driver"], source: "bench_drivers", ttlSeconds: 0,
                    features: [
                        Feature(name: "conv_rate", type: .float64), Feature(name: "acc_rate", type: .float32),
                        Feature(name: "avg_daily_trips", type: .int64), Feature(name: "trips_today", type: .int32),
                        Feature(name: "rating", type: .float64),
                    ]),
                FeatureView(
                    name: "customers", entities: ["customer"], source: "bench_customers", ttlSeconds: 0,
                    features: [
                        Feature(name: "current_balance", type: .float64), Feature(name: "lifetime_trip_count", type: .int32),
                        Feature(name: "segment", type: .string),
                    ]),
            ],
            featureServices: [
                FeatureService(
                    name: "ranking",
                    features: ["conv_rate", "acc_rate", "avg_daily_trips", "trips_today", "rating"].map { FeatureReference(view: "drivers", feature: $0) }
                        + ["current_balance", "lifetime_trip_count", "segment"].map { FeatureReference(view: "customers", feature: $0) }),
            ])
    }

    /// Two rows per entity (an older one and the latest), deterministic, with ~2% null values, and the
    /// index a point-in-time source should have (join key, event time, created).
    static func generateSources(_ db: PostgresConnection, entities: Int) throws {
        try db.executeScript(
            """
            DROP TABLE IF EXISTS bench_drivers, bench_customers;
            CREATE TABLE bench_drivers (driver_id bigint, event_timestamp timestamptz, created timestamptz,
                conv_rate double precision, acc_rate real, avg_daily_trips bigint, trips_today integer, rating double precision);
            CREATE TABLE bench_customers (customer_id bigint, event_timestamp timestamptz, created timestamptz,
                current_balance double precision, lifetime_trip_count integer, segment text);
            """)
        try db.execute(
            """
            INSERT INTO bench_drivers
            SELECT i / 2 + 1, ts, ts + interval '5 minutes',
                   CASE WHEN h % 50 = 0 THEN NULL ELSE (h % 1000) / 1000.0 END, (h % 997) / 997.0, h % 40, h % 17,
                   3 + (h % 200) / 100.0
            FROM (SELECT i, abs(hashint4(i)) AS h,
                         '2026-01-01'::timestamptz + (i % 2) * interval '10 days' + (abs(hashint4(i)) % 86400) * interval '1 second' AS ts
                  FROM generate_series(0, $1 * 2 - 1) AS i) AS g
            """, [.int(Int64(entities))])
        try db.execute(
            """
            INSERT INTO bench_customers
            SELECT i / 2 + 1, ts, ts + interval '5 minutes',
                   CASE WHEN h % 50 = 0 THEN NULL ELSE (h % 50000) / 100.0 END, h % 3000,
                   (ARRAY['standard', 'premium', 'business', 'student'])[h % 4 + 1]
            FROM (SELECT i, abs(hashint4(i + 7)) AS h,
                         '2026-01-01'::timestamptz + (i % 2) * interval '10 days' + (abs(hashint4(i + 7)) % 86400) * interval '1 second' AS ts
                  FROM generate_series(0, $1 * 2 - 1) AS i) AS g
            """, [.int(Int64(entities))])
        try db.executeScript(
            """
            CREATE INDEX ON bench_drivers (driver_id, event_timestamp, created);
            CREATE INDEX ON bench_customers (customer_id, event_timestamp, created);
            ANALYZE bench_drivers; ANALYZE bench_customers;
            """)
    }

    /// The latest row per entity of both sources, read by binary COPY and decoded, without writing.
    static func copyLatestRows(_ db: PostgresConnection) throws {
        for (table, key, features) in [
            ("bench_drivers", "driver_id", "conv_rate::float8, acc_rate::float4, avg_daily_trips::int8, trips_today::int4, rating::float8"),
            ("bench_customers", "customer_id", "current_balance::float8, lifetime_trip_count::int4, segment::text"),
        ] {
            let columns: [CopyColumn] = table == "bench_drivers"
                ? [CopyColumn(.int64), CopyColumn(.timestamp), CopyColumn(.timestamp), CopyColumn(.float64), CopyColumn(.float32), CopyColumn(.int64), CopyColumn(.int32), CopyColumn(.float64)]
                : [CopyColumn(.int64), CopyColumn(.timestamp), CopyColumn(.timestamp), CopyColumn(.float64), CopyColumn(.int32), CopyColumn(.string)]
            try db.copyOut(
                query: """
                    SELECT DISTINCT ON (\(key)) \(key)::int8, event_timestamp::timestamptz, created::timestamptz, \(features)
                    FROM \(table) WHERE event_timestamp <= '\(UTCTimestamp.format(end))'::timestamptz
                    ORDER BY \(key) DESC, event_timestamp DESC, created DESC NULLS LAST
                    """, columns: columns, batchRows: 16_384) { _ in }
        }
    }

    static func usedMemory(_ redis: RedisConnection) throws -> Int {
        let info = try redis.command(["INFO", "memory"]).string ?? ""
        for line in info.split(whereSeparator: \.isNewline) where line.hasPrefix("used_memory:") {
            return Int(line.dropFirst("used_memory:".count)) ?? 0
        }
        return 0
    }

    /// The sum of MEMORY USAGE over every key of the database, pipelined.
    static func memoryUsage(_ redis: RedisConnection) throws -> Double {
        var cursor = "0"
        var total = 0.0
        repeat {
            let reply = try redis.command(["SCAN", cursor, "COUNT", "5000"])
            cursor = reply.array![0].string!
            let keys = reply.array![1].array!.compactMap(\.bytes)
            for key in keys { try redis.append([Array("MEMORY".utf8), Array("USAGE".utf8), key, Array("SAMPLES".utf8), Array("0".utf8)]) }
            for _ in keys { total += Double(try redis.readReply().integer ?? 0) }
        } while cursor != "0"
        return total
    }

    /// The median record size of each view, from a sample of stored records.
    static func sampleRecordSizes(_ redis: RedisConnection) throws -> [Int] {
        try ["drivers", "customers"].map { view in
            var sizes: [Int] = []
            for id in stride(from: Int64(1), through: 2000, by: 7) {
                let (key, field) = hashKey(view: view, id: id)
                if let bytes = try redis.command([key, field].reduce(into: [Array("HGET".utf8)]) { $0.append($1) }).bytes {
                    sizes.append(bytes.count)
                }
            }
            sizes.sort()
            return sizes.isEmpty ? 48 : sizes[sizes.count / 2]
        }
    }

    /// The fastest rate (entities/s) of raw pipelined SETs of 2 × `entities` records of the sampled sizes,
    /// over a few pipeline depths: each batch encoded into one reused buffer, sent with one write, its
    /// replies walked over.
    static func setLimit(_ raw: RawRESP, _ redis: RedisConnection, entities: Int, recordSizes: [Int]) throws -> Double {
        var best = 0.0
        let set = Array("SET".utf8)
        for depth in [256, 1024, 4096] {
            let values = recordSizes.map { [UInt8](repeating: 0x5A, count: $0) }
            let prefixes = [Array("strata-bench:d:".utf8), Array("strata-bench:c:".utf8)]
            var written = 0
            var key: [UInt8] = []
            let seconds = Measure.seconds {
                for (view, value) in values.enumerated() {
                    var id = 0
                    while id < entities {
                        let end = min(id + depth, entities)
                        raw.output.removeAll(keepingCapacity: true)
                        for entity in id..<end {
                            key.removeAll(keepingCapacity: true)
                            key.append(contentsOf: prefixes[view])
                            RawRESP.appendDigits(entity, to: &key)
                            RawRESP.encode(set, key, value, into: &raw.output)
                        }
                        raw.send(raw.output)
                        raw.receive(replies: end - id)
                        written += end - id
                        id = end
                    }
                }
            }
            best = max(best, Double(written) / seconds)
            _ = try redis.command("FLUSHDB")
        }
        return best
    }

    static func hashKey(view: String, id: Int64) -> ([UInt8], [UInt8]) {
        let field = withUnsafeBytes(of: id.littleEndian) { Array($0) }
        var key: [UInt8] = []
        let bucket = field.withUnsafeBytes { OnlineLayout.bucket(of: $0) }
        OnlineLayout.appendKey(prefix: OnlineLayout.keyPrefix(project: project, view: view), bucket: bucket, to: &key)
        return (key, field)
    }

    static func hashKeys(_ frame: Frame) -> [([UInt8], [UInt8])] {
        let drivers = frame["driver_id"]!.int64Values
        let customers = frame["customer_id"]!.int64Values
        return drivers.map { hashKey(view: "drivers", id: $0) } + customers.map { hashKey(view: "customers", id: $0) }
    }

    /// One `MGET` of the keys, encoded once before timing.
    static func mgetRequest(_ keys: [[UInt8]]) -> [UInt8] {
        var request: [UInt8] = []
        RawRESP.encode([Array("MGET".utf8)] + keys, into: &request)
        return request
    }

    /// One `HGET` per (key, field), encoded once into one buffer before timing.
    static func hgetRequest(_ pairs: [([UInt8], [UInt8])]) -> [UInt8] {
        var request: [UInt8] = []
        for (key, field) in pairs { RawRESP.encode([Array("HGET".utf8), key, field], into: &request) }
        return request
    }

    /// Copies the records of every entity of `frames` to plain string keys, for the raw MGET baseline.
    static func copyToStringKeys(_ redis: RedisConnection, frames: [Frame]) throws -> [[[UInt8]]] {
        try frames.map { frame in
            try hashKeys(frame).enumerated().map { index, pair in
                let record = try redis.command([Array("HGET".utf8), pair.0, pair.1]).bytes ?? []
                let name = Array("strata-bench:plain:\(index):".utf8) + pair.0 + pair.1
                _ = try redis.command([Array("SET".utf8), name, record])
                return name
            }
        }
    }

    static func randomEntities(_ count: Int, entities: Int, rng: inout SplitMix64) -> Frame {
        Frame(names: ["driver_id", "customer_id"], columns: [
            Column(int64: (0..<count).map { _ in Int64(rng.next() % UInt64(entities)) + 1 }),
            Column(int64: (0..<count).map { _ in Int64(rng.next() % UInt64(entities)) + 1 }),
        ])
    }
}

import Foundation
import StrataColumnar
import StrataCore
import StrataOffline
import StrataOnline
import StrataPostgres
import StrataRedis
import StrataRegistry
import StrataTestSupport

/// A fresh database with a random event table `events` and an aggregation view over it (windows from
/// one hop to 30 days, every function and several result types), a plain view over the same table,
/// its schema applied, a fresh Redis database, and the brute-force oracle in plain SQL.
final class AggregationFixture {
    let url: String
    let db: PostgresConnection
    let registry: Registry
    let redis: RedisConnection
    let redisURL: RedisURL
    let folder: URL
    let repository: Repository
    let hop: Int64
    let aggregations: [Aggregation]
    /// The entities that have events: 1...entities; a few more ids have none.
    let entities: Int64
    /// The first instant of the data and the end of the last event (µs).
    let origin: Int64
    let end: Int64
    var rng: SeededGenerator

    static let day: Int64 = 86_400_000_000

    /// A random case; `days` of events, ending five days before today (records of tiles that every
    /// window has left by now are not written).
    init(seed: UInt64, days: Int64 = 40) throws {
        let today = Int64(Date().timeIntervalSince1970 * 1e6) / Self.day * Self.day
        origin = today - (days + 5) * Self.day
        var rng = SeededGenerator(seed: seed)
        let hop = [Int64(1_800), 3_600, 7_200, 86_400].randomElement(using: &rng)!
        self.hop = hop
        entities = Int64.random(in: 3...12, using: &rng)
        end = origin + days * Self.day
        func window() -> Int64 {
            [hop, hop * Int64.random(in: 2...5, using: &rng), 86_400 * 7, 30 * 86_400, hop * 3].randomElement(using: &rng)!
        }
        aggregations = [
            Aggregation(name: "events_n", column: "*", function: .count, windowSeconds: hop, type: .int64),
            Aggregation(name: "events_30d", column: "*", function: .count, windowSeconds: 30 * 86_400, type: .int64),
            Aggregation(name: "fare_n", column: "fare", function: .count, windowSeconds: window(), type: .int64),
            Aggregation(name: "note_n", column: "note", function: .count, windowSeconds: window(), type: .int64),
            Aggregation(name: "fare_sum", column: "fare", function: .sum, windowSeconds: window(), type: .float64),
            Aggregation(name: "rating_sum", column: "rating", function: .sum, windowSeconds: window(), type: .float64),
            Aggregation(name: "fare_mean", column: "fare", function: .mean, windowSeconds: window(), type: .float64),
            Aggregation(name: "fare_min", column: "fare", function: .min, windowSeconds: window(), type: .float64),
            Aggregation(name: "fare_max", column: "fare", function: .max, windowSeconds: window(), type: .float32),
            Aggregation(name: "rating_max", column: "rating", function: .max, windowSeconds: window(), type: .int64),
            Aggregation(name: "rating_min", column: "rating", function: .min, windowSeconds: window(), type: .int32),
            Aggregation(name: "ts_min", column: "ts", function: .min, windowSeconds: window(), type: .timestamp),
            Aggregation(name: "fare_last", column: "fare", function: .last, windowSeconds: window(), type: .float64),
            Aggregation(name: "rating_last", column: "rating", function: .last, windowSeconds: window(), type: .int32),
            Aggregation(name: "flag_last", column: "flag", function: .last, windowSeconds: window(), type: .bool),
            Aggregation(name: "fare_std", column: "fare", function: .stddev, windowSeconds: window(), type: .float64),
            Aggregation(name: "rating_std", column: "rating", function: .stddev, windowSeconds: 30 * 86_400, type: .float64),
        ]
        self.rng = rng
        url = try TestServices.shared.freshDatabaseURL()
        db = try PostgresConnection(url: url)
        try db.executeScript(
            """
            CREATE TABLE events (driver_id bigint, ts timestamptz, created timestamptz, fare double precision,
                rating integer, flag boolean, note text);
            """)
        registry = try Registry(connection: try PostgresConnection(url: url))
        redisURL = try RedisURL(try TestServices.shared.freshRedisURL())
        redis = try RedisConnection(url: redisURL, timeout: .seconds(30))
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("strata-agg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let lines = aggregations.map { a in
            "      - { name: \(a.name), column: \"\(a.column)\", function: \(a.function.rawValue), window: \(Durations.format(a.windowSeconds)), type: \(a.type.rawValue) }"
        }
        let schema = """
            project: fleet
            entities:
              - { name: driver, join_key: driver_id, type: int64 }
            sources:
              - { name: events, table: events, timestamp: ts, created_timestamp: created }
            feature_views:
              - name: activity
                entities: [driver]
                source: events
                hop: \(Durations.format(hop))
                aggregations:
            \(lines.joined(separator: "\n"))
              - name: latest
                entities: [driver]
                source: events
                ttl: 2d
                features:
                  - { name: fare, type: float64 }
            feature_services:
              - name: mixed
                features: [latest:fare, activity:fare_sum, activity:events_n]

            """
        try schema.write(to: folder.appendingPathComponent("fleet.yaml"), atomically: true, encoding: .utf8)
        repository = try SchemaLoader.load(directory: folder.path)
        let problems = try SourceChecker.check(repository, connection: db)
        guard problems.isEmpty else { throw SchemaErrors(problems) }
        try registry.apply(repository)
    }

    deinit { try? FileManager.default.removeItem(at: folder) }

    /// One event row; nil fields are null.
    struct Event {
        var driver: Int64
        var ts: Int64
        var created: Int64?
        var fare: Double?
        var rating: Int32?
        var flag: Bool?
        var note: String?
    }

    /// `count` random events between `from` and `to` (µs): times on hop boundaries, at window edges
    /// and shared, exact duplicates, nulls everywhere.
    func randomEvents(_ count: Int, from: Int64, to: Int64) -> [Event] {
        var events: [Event] = []
        let hopMicros = hop * 1_000_000
        while events.count < count {
            if let previous = events.last, rng.chance(0.08) {
                events.append(previous)
                continue
            }
            var ts = Int64.random(in: from...to, using: &rng)
            if rng.chance(0.25) { ts = ts / hopMicros * hopMicros }
            if let previous = events.last, rng.chance(0.1) { ts = previous.ts }
            ts = min(max(ts, from), to)
            events.append(Event(
                driver: Int64.random(in: 1...entities, using: &rng), ts: ts,
                created: rng.chance(0.2) ? nil : ts + Int64.random(in: 0...3, using: &rng) * 1_000_000,
                fare: rng.chance(0.15) ? nil : Double(Int.random(in: 0...4_000, using: &rng)) / 100,
                rating: rng.chance(0.15) ? nil : Int32.random(in: 1...5, using: &rng),
                flag: rng.chance(0.15) ? nil : rng.chance(0.5),
                note: rng.chance(0.3) ? nil : "n"))
        }
        return events
    }

    func insert(_ events: [Event]) throws {
        try db.copyIn(
            table: "events", columnNames: ["driver_id", "ts", "created", "fare", "rating", "flag", "note"],
            columns: [
                Column(int64: events.map(\.driver)), Column(timestamp: events.map(\.ts)), Column(timestamp: events.map(\.created)),
                Column(float64: events.map(\.fare)), Column(int32: events.map(\.rating)), Column(bool: events.map(\.flag)),
                Column(string: events.map(\.note)),
            ])
    }

    /// Random instants for `driver_id`s 1...entities + 2 (the last two have no events), some on hop
    /// boundaries, some on event times and one window or hop after them.
    func randomInstants(_ count: Int, from: Int64, to: Int64) throws -> [(driver: Int64, time: Int64)] {
        let times = try db.copyOut(query: "SELECT ts FROM events", columns: [CopyColumn(.timestamp)])[0].timestampValues
        let hopMicros = hop * 1_000_000
        return (0..<count).map { _ in
            let driver = Int64.random(in: 1...(entities + 2), using: &rng)
            var time = Int64.random(in: from...to, using: &rng)
            switch Int.random(in: 0..<5, using: &rng) {
            case 0: time = time / hopMicros * hopMicros
            case 1 where !times.isEmpty: time = times.randomElement(using: &rng)!
            case 2 where !times.isEmpty:
                time = times.randomElement(using: &rng)! + aggregations.randomElement(using: &rng)!.windowSeconds * 1_000_000
            case 3 where !times.isEmpty: time = times.randomElement(using: &rng)! + hopMicros
            default: break
            }
            return (driver, time)
        }
    }

    /// Creates table `name` (driver_id, event_timestamp) holding `instants`.
    func spine(_ name: String, _ instants: [(driver: Int64, time: Int64)]) throws {
        try db.execute("DROP TABLE IF EXISTS \(name)")
        try db.execute("CREATE TABLE \(name) (driver_id bigint, event_timestamp timestamptz)")
        try db.copyIn(
            table: name, columnNames: ["driver_id", "event_timestamp"],
            columns: [Column(int64: instants.map(\.driver)), Column(timestamp: instants.map(\.time))])
    }

    /// The brute-force answer: per row of `spine` (in its physical order), every aggregation computed by
    /// plain SQL over the events of its driver with `start < ts <= t`, `start` being `t − window`
    /// rounded down to the hop, computed on exact microseconds.
    func oracle(_ spine: String) throws -> [Column] {
        let micros = "(extract(epoch FROM %@) * 1000000)::bigint"
        let t = micros.replacingOccurrences(of: "%@", with: "s.event_timestamp")
        let e = micros.replacingOccurrences(of: "%@", with: "e.ts")
        let hopMicros = hop * 1_000_000
        let selects = aggregations.map { a -> String in
            let start = "floor((\(t) - \(a.windowSeconds * 1_000_000))::numeric / \(hopMicros))::bigint * \(hopMicros)"
            let inWindow = "e.driver_id = s.driver_id AND \(e) > \(start) AND e.ts <= s.event_timestamp"
            let column = a.countsEvents ? "*" : "e.\(a.column)"
            let cast = CopyColumn(ColumnType(a.type)).wire.sqlName
            let aggregate: String = switch a.function {
            case .count: "count(\(column))"
            case .sum: "sum(\(column)::float8)"
            case .mean: "avg(\(column)::float8)"
            case .stddev: "stddev_pop(\(column)::float8)"
            case .min: "min(\(column))"
            case .max: "max(\(column))"
            case .last: ""
            }
            if a.function == .last {
                return "(SELECT \(column)::\(cast) FROM events e WHERE \(inWindow) AND \(column) IS NOT NULL ORDER BY e.ts DESC, e.created DESC NULLS LAST, \(column) DESC LIMIT 1)"
            }
            return "(SELECT \(aggregate)::\(cast) FROM events e WHERE \(inWindow))"
        }
        return try db.copyOut(
            query: "SELECT \(selects.joined(separator: ", ")) FROM \(spine) s ORDER BY s.ctid",
            columns: aggregations.map { CopyColumn(ColumnType($0.type)) })
    }

    /// Differences between Strata's column and the oracle's for aggregation `a`: exact for counts,
    /// minima, maxima and last values; within 1e-9 of the values' scale for sums, means and deviations
    /// (their partial sums are added in another order).
    func differences(_ a: Int, strata: Column, oracle: Column, label: String) -> [String] {
        var found: [String] = []
        let aggregation = aggregations[a]
        for row in 0..<oracle.count {
            if strata.isNull(row) != oracle.isNull(row) {
                found.append("\(label) row \(row) \(aggregation.name): null \(strata.isNull(row)) vs oracle \(oracle.isNull(row))")
                continue
            }
            guard !oracle.isNull(row) else { continue }
            if aggregation.function.isArithmetic {
                let x = strata.double(at: row)!, y = oracle.double(at: row)!
                if abs(x - y) > 1e-9 * max(1, abs(y), 5_000) {
                    found.append("\(label) row \(row) \(aggregation.name): \(x) vs oracle \(y)")
                }
            } else if strata.take(indices: [row]) != oracle.take(indices: [row]) {
                found.append("\(label) row \(row) \(aggregation.name): \(strata.double(at: row) ?? .nan) vs oracle \(oracle.double(at: row) ?? .nan)")
            }
        }
        return found
    }
}

extension AggregationFixture {
    /// The references of every aggregation of the view.
    var references: [FeatureReference] { aggregations.map { FeatureReference(view: "activity", feature: $0.name) } }

    /// Differences between online lookups of every driver (those without events included) at each of
    /// `instants` and the oracle at the same instants; also checks that statuses tell values from nulls.
    /// `NOT_FOUND` (with a null value) is accepted where the store cannot know the answer, and only there:
    /// an instant before the end of the driver's record, or, for a driver without a record, before the
    /// time of the lookup (a tile of the window may have expired). `unanswered` collects those
    /// (instant index, driver, aggregation).
    func onlineDifferences(at instants: [Int64], label: String, unanswered: inout [(Int, Int64, Int)]) throws -> [String] {
        let store = OnlineStore(redis: redis, repository: repository)
        let drivers = Array(1...(entities + 2))
        var found: [String] = []
        for (i, time) in instants.enumerated() {
            let result = try store.onlineFeatures(references, entities: Frame(names: ["driver_id"], columns: [Column(int64: drivers)]), at: time)
            let after = Int64(Date().timeIntervalSince1970 * 1e6) + 1_000
            try spine("instant", drivers.map { ($0, time) })
            let oracle = try oracle("instant")
            for a in aggregations.indices {
                let ends = result.eventTimestamps(feature: a)
                var answered: [Int] = []
                for row in drivers.indices {
                    let status = result.status(feature: a, row: row)
                    if status == .notFound, ends[row] > 0 ? time < ends[row] : time < after {
                        unanswered.append((i, drivers[row], a))
                        if !result.values[a].isNull(row) { found.append("\(label) instant \(i) driver \(drivers[row]) \(aggregations[a].name): NOT_FOUND with a value") }
                        continue
                    }
                    answered.append(row)
                    let expected: FeatureStatus = oracle[a].isNull(row) ? .nullValue : .present
                    if status != expected {
                        found.append("\(label) instant \(i) driver \(drivers[row]) \(aggregations[a].name): status \(status)")
                    }
                }
                found += differences(
                    a, strata: result.values[a].take(indices: answered), oracle: oracle[a].take(indices: answered),
                    label: "\(label) instant \(i)")
            }
        }
        return found
    }

    /// `onlineDifferences`, ignoring which answers were `NOT_FOUND`.
    func onlineDifferences(at instants: [Int64], label: String) throws -> [String] {
        var unanswered: [(Int, Int64, Int)] = []
        return try onlineDifferences(at: instants, label: label, unanswered: &unanswered)
    }

    /// Instants from `end` to 35 days after it: the end, hop boundaries, random ones, and the expiry of
    /// the longest window.
    func instantsAfter(_ end: Int64) -> [Int64] {
        let hopMicros = hop * 1_000_000
        var instants = [end, end + 1, (end / hopMicros + 1) * hopMicros, end + 30 * Self.day + hopMicros + 1, end + 35 * Self.day]
        for _ in 0..<5 { instants.append(end + Int64.random(in: 0...(31 * Self.day), using: &rng)) }
        return instants
    }
}

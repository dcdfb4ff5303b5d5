import Foundation
import StrataColumnar
import StrataCore
import StrataOnline
import StrataPostgres
import StrataRedis
import StrataRegistry
import StrataTestSupport

/// A fresh database with two source tables (an int64-keyed view with every feature type, and a
/// string-keyed view without a created column), their schema applied, and a fresh Redis database.
final class OnlineFixture {
    let postgresURL: String
    let redisURL: RedisURL
    let db: PostgresConnection
    let registry: Registry
    let redis: RedisConnection
    let folder: URL
    private(set) var repository: Repository

    static let microsPerDay: Int64 = 86_400_000_000
    static let origin = UTCTimestamp.parse("2026-01-01T00:00:00Z")!
    static let project = "shop"

    static func schema(ttl: String = "1d", expiry: String? = nil) -> String {
        """
        project: shop
        entities:
          - { name: user, join_key: user_id, type: int64 }
          - { name: store, join_key: store_code, type: string }
        sources:
          - { name: user_events, table: user_events, timestamp: ts, created_timestamp: created }
          - { name: store_stats, table: store_stats, timestamp: ts }
        feature_views:
          - name: user_stats
            entities: [user]
            source: user_events
            ttl: \(ttl)
        \(expiry.map { "    online_expiry: \($0)\n" } ?? "")    features:
              - { name: clicks, type: int64 }
              - { name: spend, type: float64 }
              - { name: ratio, type: float32 }
              - { name: rank, type: int32 }
              - { name: vip, type: bool }
              - { name: segment, type: string }
              - { name: last_seen, type: timestamp }
          - name: store_stats
            entities: [store]
            source: store_stats
            ttl: 0
            features:
              - { name: visits, type: int64 }
              - { name: rating, type: float64 }
        feature_services:
          - name: scoring
            features: [user_stats:clicks, user_stats:spend, store_stats:rating, user_stats:segment]
        """
    }

    init(schema: String = OnlineFixture.schema(), redisURL: String? = nil) throws {
        postgresURL = try TestServices.shared.freshDatabaseURL()
        self.redisURL = try RedisURL(try redisURL ?? TestServices.shared.freshRedisURL())
        db = try PostgresConnection(url: postgresURL)
        try db.executeScript(
            """
            CREATE TABLE user_events (user_id bigint, ts timestamptz, created timestamptz, clicks bigint,
                spend double precision, ratio real, rank integer, vip boolean, segment text, last_seen timestamptz);
            CREATE TABLE store_stats (store_code text, ts timestamptz, visits bigint, rating double precision);
            """)
        registry = try Registry(connection: try PostgresConnection(url: postgresURL))
        redis = try RedisConnection(url: self.redisURL, timeout: .seconds(30))
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("strata-online-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        repository = Repository(project: Self.project)
        try apply(schema)
    }

    deinit { try? FileManager.default.removeItem(at: folder) }

    func apply(_ schema: String) throws {
        try schema.write(to: folder.appendingPathComponent("shop.yaml"), atomically: true, encoding: .utf8)
        repository = try SchemaLoader.load(directory: folder.path)
        try registry.apply(repository)
    }

    func materializer(batchRows: Int = 97) -> Materializer {
        let materializer = Materializer(registry: registry, redis: redis)
        materializer.batchRows = batchRows
        return materializer
    }

    func store() -> OnlineStore { OnlineStore(redis: redis, repository: repository) }

    /// One row of `user_events`; nil fields are null.
    struct UserRow {
        var user: Int64
        var ts: Int64
        var created: Int64?
        var clicks: Int64? = 1
        var spend: Double? = 1.5
        var ratio: Float? = 0.25
        var rank: Int32? = 3
        var vip: Bool? = true
        var segment: String? = "gold"
        var lastSeen: Int64? = OnlineFixture.origin
    }

    func insert(_ rows: [UserRow]) throws {
        try db.copyIn(
            table: "user_events",
            columnNames: ["user_id", "ts", "created", "clicks", "spend", "ratio", "rank", "vip", "segment", "last_seen"],
            columns: [
                Column(int64: rows.map(\.user)), Column(timestamp: rows.map(\.ts)), Column(timestamp: rows.map(\.created)),
                Column(int64: rows.map(\.clicks)), Column(float64: rows.map(\.spend)), Column(float32: rows.map(\.ratio)),
                Column(int32: rows.map(\.rank)), Column(bool: rows.map(\.vip)), Column(string: rows.map(\.segment)),
                Column(timestamp: rows.map(\.lastSeen)),
            ])
    }

    func insertStores(_ rows: [(code: String, ts: Int64, visits: Int64?, rating: Double?)]) throws {
        try db.copyIn(
            table: "store_stats", columnNames: ["store_code", "ts", "visits", "rating"],
            columns: [
                Column(string: rows.map(\.code)), Column(timestamp: rows.map(\.ts)), Column(int64: rows.map(\.visits)),
                Column(float64: rows.map(\.rating)),
            ])
    }

    /// Random rows over ten days from `origin`: 0–6 rows per user, duplicate event times that differ in
    /// created time, null created times and null values; store rows keyed by short strings.
    func insertRandom(users: Int, stores: Int = 40, seed: UInt64) throws {
        var rng = SeededGenerator(seed: seed)
        func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &rng) < p }
        var rows: [UserRow] = []
        for user in 1...Int64(users) {
            for _ in 0..<Int.random(in: 0...6, using: &rng) {
                let ts = Self.origin + Int64.random(in: 0..<(10 * 24 * 60), using: &rng) * 60_000_000
                let copies = chance(0.2) ? 2 : 1
                for _ in 0..<copies {
                    rows.append(
                        UserRow(
                            user: user, ts: ts,
                            created: chance(0.05) ? nil : ts + Int64.random(in: 0..<3_600, using: &rng) * 1_000_000,
                            clicks: chance(0.1) ? nil : Int64.random(in: -5...1000, using: &rng),
                            spend: chance(0.1) ? nil : Double.random(in: -10...10, using: &rng),
                            ratio: chance(0.1) ? nil : Float.random(in: 0...1, using: &rng),
                            rank: chance(0.1) ? nil : Int32.random(in: -100...100, using: &rng),
                            vip: chance(0.1) ? nil : chance(0.5),
                            segment: chance(0.1) ? nil : ["", "gold", "silver, \"quoted\"", "émeraude"][Int.random(in: 0..<4, using: &rng)],
                            lastSeen: chance(0.1) ? nil : ts - Int64.random(in: 0..<1_000_000, using: &rng) * 1_000_000))
                }
            }
        }
        try insert(rows)
        var storeRows: [(code: String, ts: Int64, visits: Int64?, rating: Double?)] = []
        for store in 0..<stores {
            for _ in 0..<Int.random(in: 0...3, using: &rng) {
                storeRows.append(
                    ("s\(store)", Self.origin + Int64.random(in: 0..<(10 * 24 * 3600), using: &rng) * 1_000_000,
                     chance(0.1) ? nil : Int64.random(in: 0...50, using: &rng), chance(0.1) ? nil : Double.random(in: 1...5, using: &rng)))
            }
        }
        try insertStores(storeRows)
    }

    /// Every (key, field) → record of the views in this fixture's Redis database (markers left out: their
    /// run tokens differ from run to run).
    func dump(_ connection: RedisConnection? = nil) throws -> [String: [UInt8]] {
        let redis = connection ?? self.redis
        var result: [String: [UInt8]] = [:]
        var cursor = "0"
        repeat {
            let reply = try redis.command(["SCAN", cursor, "MATCH", "s:*", "COUNT", "1000"])
            let parts = reply.array!
            cursor = parts[0].string!
            for key in parts[1].array!.compactMap(\.bytes) {
                let entries = try redis.command([Array("HGETALL".utf8), key]).array!
                for i in stride(from: 0, to: entries.count, by: 2) {
                    result[String(decoding: key, as: UTF8.self) + "|" + entries[i].bytes!.map { String($0) }.joined(separator: ".")] = entries[i + 1].bytes!
                }
            }
        } while cursor != "0"
        return result
    }

    /// The user ids 1...users as an entity frame.
    static func users(_ ids: [Int64]) -> Frame {
        Frame(names: ["user_id"], columns: [Column(int64: ids)])
    }
}

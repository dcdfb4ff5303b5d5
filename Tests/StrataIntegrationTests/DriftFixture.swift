import Foundation
import StrataColumnar
import StrataCore
import StrataPostgres
import StrataRegistry
import StrataTestSupport

/// A registered view of two weeks of driver statistics: in the second week conv_rate moves up by
/// one standard deviation and a fifth city appears; trips and vip keep their distributions.
struct DriftFixture {
    let url: String
    let registry: Registry
    let folder: URL

    static let rowsPerDay = 400
    static let firstDay = UTCTimestamp.parse("2026-01-01")!
    static let day: Int64 = 86_400 * 1_000_000

    static let schema = """
        project: fleet
        entities:
          - { name: driver, join_key: driver_id, type: int64 }
        sources:
          - { name: driver_stats, table: driver_stats, timestamp: ts }
        feature_views:
          - name: driver_stats
            entities: [driver]
            source: driver_stats
            ttl: 0
            features:
              - { name: conv_rate, type: float64 }
              - { name: trips, type: int64, drift: { method: psi, threshold: 0.2 } }
              - { name: city, type: string }
              - { name: vip, type: bool }
              - { name: seen_at, type: timestamp }
        feature_services:
          - name: driver_health
            features: [driver_stats:conv_rate, driver_stats:trips, driver_stats:city, driver_stats:vip]
        """

    init() throws {
        url = try TestServices.shared.freshDatabaseURL()
        let db = try PostgresConnection(url: url)
        try db.executeScript(
            "CREATE TABLE driver_stats (driver_id bigint, ts timestamptz, conv_rate double precision, trips bigint, city text, vip boolean, seen_at timestamptz)")
        var rng = SeededGenerator(seed: 2026)
        var ids: [Int64] = []
        var times: [Int64] = []
        var rates: [Double?] = []
        var trips: [Int64] = []
        var cities: [String] = []
        var vips: [Bool] = []
        for day in 0..<14 {
            for i in 0..<Self.rowsPerDay {
                ids.append(Int64(1000 + i))
                times.append(Self.firstDay + Int64(day) * Self.day + Int64(i) * 200_000_000)
                rates.append(rng.chance(0.05) ? nil : 0.5 + (day >= 7 ? 0.1 : 0) + 0.1 * rng.normal())
                trips.append(Int64(rng.next() % 61))
                let cityCount: UInt64 = day >= 7 ? 5 : 4
                cities.append(["ams", "ber", "cph", "dub", "edi"][Int(rng.next() % cityCount)])
                vips.append(rng.chance(0.2))
            }
        }
        try db.copyIn(
            table: "driver_stats", columnNames: ["driver_id", "ts", "conv_rate", "trips", "city", "vip", "seen_at"],
            columns: [
                Column(int64: ids), Column(timestamp: times), Column(float64: rates), Column(int64: trips), Column(string: cities),
                Column(bool: vips), Column(timestamp: times),
            ])
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("strata-drift-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Self.schema.write(to: folder.appendingPathComponent("fleet.yaml"), atomically: true, encoding: .utf8)
        registry = try Registry(connection: db)
        try registry.apply(try SchemaLoader.load(directory: folder.path))
    }

    /// `window:` over days `from ..< to` of the data.
    static func window(_ from: Int, _ to: Int) -> String {
        "window:\(UTCTimestamp.format(firstDay + Int64(from) * day))..\(UTCTimestamp.format(firstDay + Int64(to) * day))"
    }

    func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    var cli: [String: String] { ["STRATA_POSTGRES_URL": url, "STRATA_REDIS_URL": "redis://127.0.0.1:1/0"] }
}

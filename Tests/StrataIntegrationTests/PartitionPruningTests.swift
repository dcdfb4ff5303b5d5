import Foundation
import StrataColumnar
import StrataCore
@testable import StrataOffline
import StrataPostgres
import StrataTestSupport
import Testing

/// A source partitioned by day of its event time: the queries Strata sends for a spine's window must
/// let PostgreSQL leave out the partitions outside it, as `EXPLAIN` shows, for the extraction read, for
/// the pieces of a parallel read and for the lateral lookup.
@Suite("Partition pruning of the queries Strata sends", .enabled(if: TestServices.enabled))
struct PartitionPruningTests {
    static let day: Int64 = 86_400 * 1_000_000
    static let days = 12
    static let base = RandomJoinCase.base

    /// For each column type and random spine windows (ttl or none), the relations each query plans to
    /// scan are exactly the partitions whose range meets the window.
    @Test(arguments: ["timestamptz", "timestamp"])
    func queriesScanOnlyThePartitionsInTheWindow(columnType: String) throws {
        let db = try PostgresConnection(url: try TestServices.shared.freshDatabaseURL())
        try db.execute("SET TimeZone = 'UTC'")
        try db.execute("CREATE TABLE events (user_id bigint, ts \(columnType), amount float8) PARTITION BY RANGE (ts)")
        for d in 0..<Self.days {
            try db.execute(
                """
                CREATE TABLE events_d\(d) PARTITION OF events FOR VALUES FROM ('\(Self.literal(Self.base + Int64(d) * Self.day))')
                TO ('\(Self.literal(Self.base + Int64(d + 1) * Self.day))')
                """)
        }
        try db.execute(
            """
            INSERT INTO events SELECT g % 7, '\(Self.literal(Self.base))'::\(columnType) + g * interval '1 hour', g
            FROM generate_series(0, \(Self.days * 24 - 1)) g
            """)
        try db.execute("ANALYZE events")
        try db.execute("CREATE TABLE spine_rows (row_id bigint, k0 bigint, ts timestamptz, lo timestamptz)")

        var rng = SeededGenerator(seed: 12)
        var prunedSomething = false
        for _ in 0..<12 {
            let ttlDays = [0, 1, 3].randomElement(using: &rng)!
            let first = Int64.random(in: 0..<(Int64(Self.days) * 24), using: &rng)
            let last = min(first + Int64.random(in: 0...48, using: &rng), Int64(Self.days) * 24 - 1)
            let spineTimes = [first, last].map { Self.base + $0 * RandomJoinCase.hour + 1_800_000_000 }
            let entity = Entity(name: "user", joinKey: "user_id", type: .int64)
            let source = Source(name: "events", table: "events", timestampColumn: "ts")
            let view = FeatureView(
                name: "spend", entities: ["user"], source: "events", ttlSeconds: Int64(ttlDays) * 86_400,
                features: [Feature(name: "amount", type: .float64)])
            let repository = Repository(project: "p", entities: [entity], sources: [source], featureViews: [view])
            let selection = try FeatureSelection.resolve([FeatureReference(view: "spend", feature: "amount")], in: repository)
            let group = selection.groups[0]
            let window = ExtractionWindow(spineTimes: spineTimes, ttlSeconds: view.ttlSeconds)

            // The partitions meeting [lowest spine time − ttl (none when 0), highest spine time].
            let lower = ttlDays == 0 ? Int64.min : spineTimes[0] - Int64(ttlDays) * Self.day
            let expected = Set((0..<Self.days).filter { d in
                let from = Self.base + Int64(d) * Self.day
                return from <= spineTimes[1] && from + Self.day > lower
            }.map { "events_d\($0)" })
            if expected.count < Self.days { prunedSomething = true }

            let extraction = try ViewExtraction(group: group, features: group.features, window: window)
            #expect(try Self.scanned(extraction.sql, db) == expected, "extraction, ttl \(ttlDays) d, window \(window)")

            let scan = try #require(try ExtractionPlanner.scan(table: extraction.table, conditions: extraction.conditions, connection: db))
            #expect(Set(scan.leaves.map(\.name)) == expected, "parallel read's leaves, ttl \(ttlDays) d")
            for piece in ExtractionPlanner.pieces(scan, connections: 2, minimumBlocks: 1) {
                #expect(try Self.scanned(extraction.sql(for: piece), db).isSubset(of: expected), "piece \(piece.relation)")
            }

            let lateral = try LateralJoin.query(group, spine: "spine_rows", window: window).sql
            #expect(try Self.scanned(lateral, db).subtracting(["spine_rows"]) == expected, "lateral, ttl \(ttlDays) d")
        }
        // The windows above are narrow enough that pruning is not vacuous.
        #expect(prunedSomething)
    }

    static func literal(_ micros: Int64) -> String {
        String(UTCTimestamp.format(micros).dropLast())
    }

    /// The relations PostgreSQL's plan for `sql` scans (partitions pruned at planning or at executor
    /// start are absent from `EXPLAIN`'s output).
    static func scanned(_ sql: String, _ db: PostgresConnection) throws -> Set<String> {
        let plan = try db.execute("EXPLAIN (FORMAT JSON) \(sql)")
        let data = Data(try #require(plan.string(0, 0)).utf8)
        let top = try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
        var found = Set<String>()
        var pending = [try #require(top.first?["Plan"] as? [String: Any])]
        while let node = pending.popLast() {
            if let relation = node["Relation Name"] as? String { found.insert(relation) }
            pending += node["Plans"] as? [[String: Any]] ?? []
        }
        return found
    }
}

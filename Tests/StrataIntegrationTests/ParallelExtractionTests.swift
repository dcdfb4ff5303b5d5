import Foundation
import StrataColumnar
import StrataCore
@testable import StrataOffline
import StrataPostgres
import StrataTestSupport
import Testing

/// Random sources full of rows tied in key, event and created time (docs/point-in-time.md rule 6), stored
/// as a plain table or partitioned by range of the event time, sparsely (fillfactor 10) so that a few
/// hundred rows span enough pages to be cut into many pieces.
struct TiedJoinCase {
    typealias Value = RandomJoinCase.Value
    typealias Key = RandomJoinCase.Key

    var repository: Repository
    var views: [RandomJoinCase.ViewData]
    var spineKeys: [String: [Key?]]
    var spineTimes: [Int64]
    var references: [FeatureReference]

    static let base = RandomJoinCase.base
    static let halfHour = RandomJoinCase.hour / 2

    init(seed: UInt64) {
        var rng = SeededGenerator(seed: seed)
        let entity = Entity(name: "user", joinKey: "user_id", type: Bool.random(using: &rng) ? .string : .int64)
        let keyPool = Int.random(in: 2...8, using: &rng)
        func key(_ n: Int) -> Key { entity.type == .string ? .string("u\(n)") : .int(Int64(n) * 3 - 5) }
        let types: [ValueType] = [.float64, .float32, .int64, .int32, .bool, .string, .timestamp]
        var views: [RandomJoinCase.ViewData] = []
        var references: [FeatureReference] = []
        for v in 0..<Int.random(in: 1...2, using: &rng) {
            let hasCreated = Bool.random(using: &rng)
            let ttlHours = [0, 1, 3, 24].randomElement(using: &rng)!
            let features = (0..<Int.random(in: 1...3, using: &rng)).map { f in
                Feature(name: "f\(f)", type: types.randomElement(using: &rng)!)
            }
            let name = "t\(v)_\(seed)"
            let source = Source(name: name, table: name, timestampColumn: "ts", createdTimestampColumn: hasCreated ? "created" : nil)
            let view = FeatureView(
                name: name, entities: [entity.name], source: name, ttlSeconds: Int64(ttlHours) * 3600, features: features)
            var data = RandomJoinCase.ViewData(view: view, source: source, entities: [entity], keys: [], times: [], created: [], values: [])
            for _ in 0..<Int.random(in: 150...500, using: &rng) {
                data.keys.append([Int.random(in: 0..<40, using: &rng) == 0 ? nil : key(Int.random(in: 0..<keyPool, using: &rng))])
                let time = Self.base + Int64(Int.random(in: 0..<40, using: &rng)) * Self.halfHour
                data.times.append(time)
                // Few created times per event time, so that many rows tie in (key, event, created).
                data.created.append(
                    hasCreated && Int.random(in: 0..<8, using: &rng) != 0 ? time + Int64(Int.random(in: 0..<2, using: &rng)) * 1_000_000 : nil)
                data.values.append(features.map { f in
                    Int.random(in: 0..<5, using: &rng) == 0 ? nil : Self.smallValue(f.type, &rng)
                })
            }
            views.append(data)
            let chosen = features.filter { _ in Bool.random(using: &rng) }
            for f in (chosen.isEmpty ? [features[0]] : chosen) { references.append(FeatureReference(view: name, feature: f.name)) }
        }
        references.shuffle(using: &rng)
        let spineRows = Int.random(in: 20...120, using: &rng)
        spineTimes = (0..<spineRows).map { _ in Self.base + Int64(Int.random(in: -4..<48, using: &rng)) * Self.halfHour }
        spineKeys = [entity.joinKey: (0..<spineRows).map { _ in
            Int.random(in: 0..<30, using: &rng) == 0 ? nil : key(Int.random(in: 0..<(keyPool + 2), using: &rng))
        }]
        repository = Repository(project: "p", entities: [entity], sources: views.map(\.source), featureViews: views.map(\.view))
        self.views = views
        self.references = references
    }

    /// Values from small pools, so that tied rows are sometimes equal and sometimes differ.
    static func smallValue(_ type: ValueType, _ rng: inout SeededGenerator) -> Value {
        switch type {
        case .float64: .double(Double(Int.random(in: -3...3, using: &rng)) / 2)
        case .float32: .float(Float(Int.random(in: -3...3, using: &rng)) / 4)
        case .int64: .int64(Int64.random(in: -3...3, using: &rng))
        case .int32: .int32(Int32.random(in: -3...3, using: &rng))
        case .bool: .bool(Bool.random(using: &rng))
        case .string: .string(["", "a", "ab", "b", "é", "z"].randomElement(using: &rng)!)
        case .timestamp: .timestamp(base + Int64.random(in: 0...3, using: &rng) * 1_000_000)
        }
    }

    /// Creates and fills the source tables, rows in a random order; `partitioned` makes each a table
    /// partitioned by range of `ts` in 4-hour partitions around the data, with a default partition.
    func load(into db: PostgresConnection, partitioned: Bool, seed: UInt64) throws {
        var rng = SeededGenerator(seed: seed ^ 0x5eed)
        for data in views {
            var definitions = ["user_id \(data.entities[0].type == .string ? "text" : "bigint")", "ts timestamptz"]
            if data.source.createdTimestampColumn != nil { definitions.append("created timestamptz") }
            definitions += data.view.features.map { "\($0.name) \(TableWriter.sqlType(ColumnType($0.type)))" }
            let table = data.source.table
            if partitioned {
                try db.execute("CREATE TABLE \(table) (\(definitions.joined(separator: ", "))) PARTITION BY RANGE (ts)")
                for part in 0..<6 {
                    let from = Self.base + Int64(part - 1) * 8 * Self.halfHour
                    try db.execute(
                        """
                        CREATE TABLE \(table)_p\(part) PARTITION OF \(table) FOR VALUES FROM ('\(UTCTimestamp.format(from))')
                        TO ('\(UTCTimestamp.format(from + 8 * Self.halfHour))') WITH (fillfactor = 10)
                        """)
                }
                try db.execute("CREATE TABLE \(table)_rest PARTITION OF \(table) DEFAULT WITH (fillfactor = 10)")
            } else {
                try db.execute("CREATE TABLE \(table) (\(definitions.joined(separator: ", "))) WITH (fillfactor = 10)")
            }
            let order = Array(data.times.indices).shuffled(using: &rng)
            var names = ["user_id", "ts"]
            var columns = [
                RandomJoinCase.keyColumn(order.map { data.keys[$0][0] }, type: data.entities[0].type),
                Column(timestamp: order.map { data.times[$0] }),
            ]
            if data.source.createdTimestampColumn != nil {
                names.append("created")
                columns.append(Column(timestamp: order.map { data.created[$0] }))
            }
            for (f, feature) in data.view.features.enumerated() {
                names.append(feature.name)
                columns.append(RandomJoinCase.valueColumn(order.map { data.values[$0][f] }, type: feature.type))
            }
            try db.copyIn(table: table, columnNames: names, columns: columns)
            try db.execute("ANALYZE \(table)")
        }
    }

    func dropTables(_ db: PostgresConnection) throws {
        for view in views { try db.execute("DROP TABLE \(view.source.table)") }
    }

    var spine: Frame {
        Frame(
            names: ["user_id", "event_timestamp", "label"],
            columns: [
                RandomJoinCase.keyColumn(spineKeys["user_id"]!, type: repository.entities[0].type),
                Column(timestamp: spineTimes), Column(int64: spineTimes.indices.map { Int64($0) }),
            ])
    }

    /// The expected feature columns by the rules of docs/point-in-time.md, tie rule included: among rows
    /// equal in key, event and created time, the greatest values in the view's declaration order win.
    func oracle() -> [Column] {
        references.map { reference in
            let data = views.first { $0.view.name == reference.view }!
            let f = data.view.features.firstIndex { $0.name == reference.feature }!
            let ttl = data.view.ttlSeconds * 1_000_000
            let hasCreated = data.source.createdTimestampColumn != nil
            var column: [Value?] = []
            for row in spineTimes.indices {
                let t = spineTimes[row]
                var best: Int?
                for candidate in data.times.indices {
                    guard let key = spineKeys["user_id"]![row], data.keys[candidate][0] == key else { continue }
                    let time = data.times[candidate]
                    guard time <= t, ttl == 0 || time >= t - ttl else { continue }
                    if hasCreated && data.created[candidate] == nil { continue }
                    guard let b = best else { best = candidate; continue }
                    let made = data.created[candidate] ?? .min, bestMade = data.created[b] ?? .min
                    if time != data.times[b] {
                        if time > data.times[b] { best = candidate }
                    } else if made != bestMade {
                        if made > bestMade { best = candidate }
                    } else if Self.rank(data.values[candidate], data.values[b]) > 0 {
                        best = candidate
                    }
                }
                column.append(best.flatMap { data.values[$0][f] })
            }
            return RandomJoinCase.valueColumn(column, type: data.view.features[f].type)
        }
    }

    /// -1, 0 or 1 as the values `a` rank below, with or above `b`, the first difference deciding.
    static func rank(_ a: [Value?], _ b: [Value?]) -> Int {
        for (x, y) in zip(a, b) {
            let order = rank(x, y)
            if order != 0 { return order }
        }
        return 0
    }

    static func rank(_ a: Value?, _ b: Value?) -> Int {
        func cmp<T: Comparable>(_ x: T, _ y: T) -> Int { x < y ? -1 : (x > y ? 1 : 0) }
        switch (a, b) {
        case (nil, nil): return 0
        case (nil, _): return -1
        case (_, nil): return 1
        case (.double(let x)?, .double(let y)?): return cmp(x, y)
        case (.float(let x)?, .float(let y)?): return cmp(x, y)
        case (.int64(let x)?, .int64(let y)?): return cmp(x, y)
        case (.int32(let x)?, .int32(let y)?): return cmp(x, y)
        case (.bool(let x)?, .bool(let y)?): return cmp(x ? 1 : 0, y ? 1 : 0)
        case (.timestamp(let x)?, .timestamp(let y)?): return cmp(x, y)
        case (.string(let x)?, .string(let y)?):
            let xs = Array(x.utf8), ys = Array(y.utf8)
            return xs == ys ? 0 : (xs.lexicographicallyPrecedes(ys) ? -1 : 1)
        default: return 0
        }
    }
}

@Suite("Parallel extraction over partitioned and plain sources", .enabled(if: TestServices.enabled))
struct ParallelExtractionTests {
    static let seeds: [UInt64] = Array(1...16)

    /// Every connection count and extraction strategy gives the serial result, which is the oracle's,
    /// on sources whose tied rows are spread over many pages read by different connections.
    @Test(arguments: [false, true])
    func parallelReadsEqualTheSerialReadAndTheOracle(partitioned: Bool) throws {
        let db = try PostgresConnection(url: try TestServices.shared.freshDatabaseURL())
        var splitViews = 0
        for seed in Self.seeds {
            let testCase = TiedJoinCase(seed: seed &* 104_729)
            try testCase.load(into: db, partitioned: partitioned, seed: seed)
            let selection = try FeatureSelection.resolve(testCase.references, in: testCase.repository)
            let spine = testCase.spine
            let expected = testCase.oracle()
            var serial: Frame?
            for strategy in [JoinStrategy.extraction, .sortMerge] {
                for count in [1, 2, 3] {
                    var join = PointInTimeJoin(connection: db, strategy: strategy, parallelism: .connections(count))
                    join.minimumPieceBlocks = 1
                    let joined = try join.join(spine: spine, selection: selection)
                    for (reference, column) in zip(testCase.references, expected) {
                        #expect(joined[reference.columnName]! == column, "seed \(seed) \(strategy) ×\(count) \(reference)")
                    }
                    if let serial {
                        #expect(joined.columns == serial.columns, "seed \(seed) \(strategy) ×\(count) differs from the serial run")
                    } else {
                        serial = joined
                    }
                }
            }
            let lateral = try PointInTimeJoin(connection: db, strategy: .lateral).join(spine: spine, selection: selection)
            for (reference, column) in zip(testCase.references, expected) {
                #expect(lateral[reference.columnName]! == column, "seed \(seed) lateral \(reference)")
            }
            splitViews += try Self.viewsReadInPieces(testCase, selection: selection, spine: spine, db: db)
            try testCase.dropTables(db)
        }
        // The comparison is not blind: the reads above were really cut and shared out.
        #expect(splitViews > Self.seeds.count)
    }

    /// How many of the case's views a 3-connection read cuts into several pieces over several connections.
    static func viewsReadInPieces(_ testCase: TiedJoinCase, selection: FeatureSelection, spine: Frame, db: PostgresConnection) throws -> Int {
        let snapshot = SnapshotConnections(primary: db)
        defer { snapshot.close() }
        var split = 0
        for group in selection.groups {
            var join = ExtractionJoin(connection: db, sortMerge: false, parallelism: .connections(3), snapshot: snapshot)
            join.minimumPieceBlocks = 1
            let read = try join.plan(group, window: ExtractionWindow(spineTimes: spine["event_timestamp"]!.timestampValues, ttlSeconds: group.view.ttlSeconds))
            if read.pieces.count > 1 && read.connections.count == 3 { split += 1 }
        }
        return split
    }
}

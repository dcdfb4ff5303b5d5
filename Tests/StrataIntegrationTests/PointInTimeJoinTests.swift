import StrataColumnar
import StrataCore
import StrataOffline
import StrataPostgres
import StrataTestSupport
import Testing

/// One randomised data set: views over random source tables, and a random spine.
struct RandomJoinCase {
    struct ViewData {
        var view: FeatureView
        var source: Source
        var entities: [Entity]
        var keys: [[Key?]]
        var times: [Int64]
        var created: [Int64?]
        var values: [[Value?]]
    }

    enum Key: Hashable {
        case int(Int64)
        case string(String)
    }

    enum Value: Hashable {
        case double(Double), float(Float), int64(Int64), int32(Int32), bool(Bool), string(String), timestamp(Int64)
    }

    var repository: Repository
    var views: [ViewData]
    var spineKeys: [String: [Key?]]
    var spineTimes: [Int64]
    var references: [FeatureReference]

    static let base: Int64 = 1_767_225_600_000_000
    static let hour: Int64 = 3_600_000_000

    init(seed: UInt64) {
        var rng = SeededGenerator(seed: seed)
        let stringKeys = Bool.random(using: &rng)
        let entities = [
            Entity(name: "user", joinKey: "user_id", type: stringKeys ? .string : .int64),
            Entity(name: "shop", joinKey: "shop_id", type: .int64),
        ]
        let keyPool = Int.random(in: 2...12, using: &rng)
        func key(_ entity: Entity, _ n: Int) -> Key {
            entity.type == .string ? .string("k\(n)") : .int(Int64(n) * 7 - 20)
        }
        let types: [ValueType] = [.float64, .float32, .int64, .int32, .bool, .string, .timestamp]
        var views: [ViewData] = []
        var references: [FeatureReference] = []
        let viewCount = Int.random(in: 1...3, using: &rng)
        for v in 0..<viewCount {
            let viewEntities: [Entity] = switch Int.random(in: 0..<4, using: &rng) {
            case 0: [entities[1]]
            case 1: [entities[0], entities[1]]
            default: [entities[0]]
            }
            let hasCreated = Bool.random(using: &rng)
            let ttlHours = [0, 0, 1, 2, 5, 24].randomElement(using: &rng)!
            let features = (0..<Int.random(in: 1...3, using: &rng)).map { f in
                Feature(name: "f\(f)", type: types.randomElement(using: &rng)!)
            }
            let name = "v\(v)_\(seed)"
            let source = Source(name: name, table: name, timestampColumn: "ts", createdTimestampColumn: hasCreated ? "created" : nil)
            let view = FeatureView(name: name, entities: viewEntities.map(\.name), source: name, ttlSeconds: Int64(ttlHours) * 3600, features: features)
            var data = ViewData(view: view, source: source, entities: viewEntities, keys: [], times: [], created: [], values: [])
            var seen = Set<[AnyHashable]>()
            let rows = Int.random(in: 0...120, using: &rng)
            for _ in 0..<rows {
                let keys: [Key?] = viewEntities.map { e in
                    Int.random(in: 0..<30, using: &rng) == 0 ? nil : key(e, Int.random(in: 0..<keyPool, using: &rng))
                }
                let time = Self.base + Int64(Int.random(in: 0..<40, using: &rng)) * Self.hour / 2
                var created: Int64? = hasCreated
                    ? (Int.random(in: 0..<6, using: &rng) == 0 ? nil : time + Int64(Int.random(in: 0..<5, using: &rng)) * 1_000_000)
                    : nil
                // Rows equal in (keys, event time, created) have no defined winner; keep each triple unique.
                var identity: [AnyHashable] = keys.map { AnyHashable($0) } + [AnyHashable(time), AnyHashable(created)]
                if !seen.insert(identity).inserted {
                    guard hasCreated else { continue }
                    created = time + 10_000_000 + Int64(seen.count) * 1_000_000
                    identity = keys.map { AnyHashable($0) } + [AnyHashable(time), AnyHashable(created)]
                    seen.insert(identity)
                }
                data.keys.append(keys)
                data.times.append(time)
                data.created.append(created)
                data.values.append(features.map { f in
                    Int.random(in: 0..<5, using: &rng) == 0 ? nil : Self.randomValue(f.type, &rng)
                })
            }
            views.append(data)
            let chosen = features.filter { _ in Bool.random(using: &rng) }
            for f in (chosen.isEmpty ? [features[0]] : chosen) { references.append(FeatureReference(view: name, feature: f.name)) }
        }
        references.shuffle(using: &rng)
        var used = Set<String>()
        for view in views { for e in view.entities { used.insert(e.name) } }
        var spineKeys: [String: [Key?]] = [:]
        var spineTimes: [Int64] = []
        let spineRows = Int.random(in: 1...150, using: &rng)
        for _ in 0..<spineRows {
            spineTimes.append(Self.base + Int64(Int.random(in: -4..<48, using: &rng)) * Self.hour / 2)
        }
        for entity in entities where used.contains(entity.name) {
            spineKeys[entity.joinKey] = (0..<spineRows).map { _ in
                Int.random(in: 0..<40, using: &rng) == 0 ? nil : key(entity, Int.random(in: 0..<(keyPool + 3), using: &rng))
            }
        }
        // Duplicate some spine rows exactly.
        for _ in 0..<(spineRows / 10) {
            let from = Int.random(in: 0..<spineRows, using: &rng)
            spineTimes.append(spineTimes[from])
            for name in spineKeys.keys { spineKeys[name]!.append(spineKeys[name]![from]) }
        }
        self.repository = Repository(
            project: "p", entities: entities, sources: views.map(\.source), featureViews: views.map(\.view))
        self.views = views
        self.spineKeys = spineKeys
        self.spineTimes = spineTimes
        self.references = references
    }

    static func randomValue(_ type: ValueType, _ rng: inout SeededGenerator) -> Value {
        switch type {
        case .float64: .double(Double(Int.random(in: -1000...1000, using: &rng)) / 8)
        case .float32: .float(Float(Int.random(in: -1000...1000, using: &rng)) / 4)
        case .int64: .int64(Int64.random(in: -1_000_000...1_000_000, using: &rng))
        case .int32: .int32(Int32.random(in: -1000...1000, using: &rng))
        case .bool: .bool(Bool.random(using: &rng))
        case .string: .string(["a", "b c", "", "ü,\"q\""].randomElement(using: &rng)!)
        case .timestamp: .timestamp(base + Int64.random(in: 0...1000, using: &rng) * 1_000_000)
        }
    }

    /// Creates and fills the source tables.
    func load(into db: PostgresConnection) throws {
        for data in views {
            var definitions = data.entities.map { "\($0.joinKey) \($0.type == .string ? "text" : "bigint")" }
            definitions.append("ts timestamptz")
            if data.source.createdTimestampColumn != nil { definitions.append("created timestamptz") }
            definitions += data.view.features.map { "\($0.name) \(TableWriter.sqlType(ColumnType($0.type)))" }
            try db.execute("CREATE TABLE \(data.source.table) (\(definitions.joined(separator: ", ")))")
            var names = data.entities.map(\.joinKey) + ["ts"]
            var columns: [Column] = data.entities.indices.map { e in
                Self.keyColumn(data.keys.map { $0[e] }, type: data.entities[e].type)
            }
            columns.append(Column(timestamp: data.times))
            if data.source.createdTimestampColumn != nil {
                names.append("created")
                columns.append(Column(timestamp: data.created))
            }
            for (f, feature) in data.view.features.enumerated() {
                names.append(feature.name)
                columns.append(Self.valueColumn(data.values.map { $0[f] }, type: feature.type))
            }
            try db.copyIn(table: data.source.table, columnNames: names, columns: columns)
        }
    }

    var spine: Frame {
        var frame = Frame()
        for (name, keys) in spineKeys.sorted(by: { $0.key < $1.key }) {
            let type = repository.entities.first { $0.joinKey == name }!.type
            frame = frame.adding(name, Self.keyColumn(keys, type: type))
        }
        return frame.adding("event_timestamp", Column(timestamp: spineTimes))
            .adding("label", Column(int64: spineTimes.indices.map { Int64($0) }))
    }

    static func keyColumn(_ keys: [Key?], type: JoinKeyType) -> Column {
        switch type {
        case .int64: Column(int64: keys.map { if case .int(let v) = $0 { v } else { nil } })
        case .string: Column(string: keys.map { if case .string(let v) = $0 { v } else { nil } })
        }
    }

    static func valueColumn(_ values: [Value?], type: ValueType) -> Column {
        switch type {
        case .float64: Column(float64: values.map { if case .double(let v) = $0 { v } else { nil } })
        case .float32: Column(float32: values.map { if case .float(let v) = $0 { v } else { nil } })
        case .int64: Column(int64: values.map { if case .int64(let v) = $0 { v } else { nil } })
        case .int32: Column(int32: values.map { if case .int32(let v) = $0 { v } else { nil } })
        case .bool: Column(bool: values.map { if case .bool(let v) = $0 { v } else { nil } })
        case .string: Column(string: values.map { if case .string(let v) = $0 { v } else { nil } })
        case .timestamp: Column(timestamp: values.map { if case .timestamp(let v) = $0 { v } else { nil } })
        }
    }

    /// The expected feature columns, row by row, by the obviously correct definition.
    func oracle() -> [Column] {
        references.map { reference in
            let data = views.first { $0.view.name == reference.view }!
            let f = data.view.features.firstIndex { $0.name == reference.feature }!
            let ttl = data.view.ttlSeconds * 1_000_000
            var column: [Value?] = []
            for row in spineTimes.indices {
                let spineKey = data.entities.map { spineKeys[$0.joinKey]![row] }
                let t = spineTimes[row]
                var best: Int?
                for candidate in data.times.indices {
                    let keys = data.keys[candidate]
                    guard !spineKey.contains(nil), !keys.contains(nil), keys == spineKey else { continue }
                    let time = data.times[candidate]
                    guard time <= t, ttl == 0 || time >= t - ttl else { continue }
                    // Like Feast, a source with a created column ignores rows whose created time is null.
                    if data.source.createdTimestampColumn != nil && data.created[candidate] == nil { continue }
                    if let b = best {
                        let better = time > data.times[b]
                            || (time == data.times[b] && (data.created[candidate] ?? .min) > (data.created[b] ?? .min))
                        if better { best = candidate }
                    } else {
                        best = candidate
                    }
                }
                column.append(best.flatMap { data.values[$0][f] })
            }
            return Self.valueColumn(column, type: data.view.features[f].type)
        }
    }
}

@Suite("Point-in-time join against a brute-force oracle")
struct PointInTimeJoinTests {
    @Test(arguments: JoinStrategy.allCases)
    func randomisedDataSetsMatchTheOracle(strategy: JoinStrategy) throws {
        let db = try PostgresConnection(url: try TestServices.shared.freshDatabaseURL())
        for seed in UInt64(1)...60 {
            let testCase = RandomJoinCase(seed: seed &* 7919)
            try testCase.load(into: db)
            let selection = try FeatureSelection.resolve(testCase.references, in: testCase.repository)
            let spine = testCase.spine
            let joined = try PointInTimeJoin(connection: db, strategy: strategy).join(spine: spine, selection: selection)
            #expect(joined.rowCount == spine.rowCount, "seed \(seed)")
            #expect(Array(joined.names.prefix(spine.columnCount)) == spine.names)
            #expect(Array(joined.names.dropFirst(spine.columnCount)) == testCase.references.map(\.columnName))
            for (c, name) in spine.names.enumerated() { #expect(joined[name]! == spine.columns[c], "seed \(seed) \(name)") }
            let expected = testCase.oracle()
            for (reference, column) in zip(testCase.references, expected) {
                let actual = joined[reference.columnName]!
                #expect(actual == column, "seed \(seed) \(reference): \(describe(actual)) != \(describe(column))")
            }
            for view in testCase.views { try db.execute("DROP TABLE \(view.source.table)") }
        }
    }

    /// Ttls past 24,855 days (2^31 seconds, beyond which PostgreSQL before version 15 refuses an interval written in
    /// seconds) up to the longest a schema accepts: every strategy takes exactly the rows within the ttl, bounds
    /// included. (`ExtremeInputTests` covers the longer ttls a registry written before the bound may hold.)
    @Test(arguments: [Int64(24_856), 25_000, Durations.maximumSeconds / 86_400])
    func everyStrategyAppliesTheLongestTTLs(ttlDays: Int64) throws {
        #expect(Durations.parse("\(ttlDays)d") == ttlDays * 86_400, "a ttl the schema accepts")
        let db = try PostgresConnection(url: try TestServices.shared.freshDatabaseURL())
        let day: Int64 = 86_400_000_000
        let base = RandomJoinCase.base
        // User n has one row, ages[n] days before the spine time; the spine asks for every user at the base time.
        let ages: [Int64] = [0, 1, 24_855, 24_856, 24_857, 25_000, 25_001, 36_499, 36_500, 36_501, 40_000]
        try db.execute("CREATE TABLE long_events (user_id bigint, ts timestamptz, clicks bigint)")
        try db.copyIn(
            table: "long_events", columnNames: ["user_id", "ts", "clicks"],
            columns: [
                Column(int64: ages.indices.map(Int64.init)), Column(timestamp: ages.map { base - $0 * day }),
                Column(int64: ages.map { 1000 + $0 }),
            ])
        let repository = Repository(
            project: "p", entities: [Entity(name: "user", joinKey: "user_id", type: .int64)],
            sources: [Source(name: "long_events", table: "long_events", timestampColumn: "ts")],
            featureViews: [
                FeatureView(
                    name: "long", entities: ["user"], source: "long_events", ttlSeconds: ttlDays * 86_400,
                    features: [Feature(name: "clicks", type: .int64)]),
            ])
        let reference = FeatureReference(view: "long", feature: "clicks")
        let selection = try FeatureSelection.resolve([reference], in: repository)
        let spine = Frame(names: ["user_id", "event_timestamp"], columns: [
            Column(int64: ages.indices.map(Int64.init)), Column(timestamp: Array(repeating: base, count: ages.count)),
        ])
        let expected = Column(int64: ages.map { $0 <= ttlDays ? 1000 + $0 : nil })
        for strategy in JoinStrategy.allCases {
            let joined = try PointInTimeJoin(connection: db, strategy: strategy).join(spine: spine, selection: selection)
            let actual = try #require(joined[reference.columnName])
            #expect(actual == expected, "\(strategy): \(describe(actual)) != \(describe(expected))")
        }
    }

    @Test func anEmptySpineGivesTypedEmptyColumns() throws {
        let db = try PostgresConnection(url: try TestServices.shared.freshDatabaseURL())
        let testCase = RandomJoinCase(seed: 99)
        try testCase.load(into: db)
        let selection = try FeatureSelection.resolve(testCase.references, in: testCase.repository)
        let empty = testCase.spine.take(indices: [])
        let joined = try PointInTimeJoin(connection: db).join(spine: empty, selection: selection)
        #expect(joined.rowCount == 0)
        #expect(joined.columnCount == empty.columnCount + testCase.references.count)
    }

    func describe(_ column: Column) -> String {
        (0..<min(column.count, 12)).map { row -> String in
            if column.isNull(row) { return "∅" }
            var bytes: [UInt8] = []
            CSVWriter.appendValue(column, row, to: &bytes)
            return String(decoding: bytes, as: UTF8.self)
        }.joined(separator: " ")
    }
}

import Foundation
import StrataColumnar
import StrataCore
import StrataOffline
import StrataOnline
import StrataPostgres
import StrataTestSupport
import Testing

/// Source rows tied in keys, event and created time: the winner is the row with the greatest values in the
/// view's feature order (docs/point-in-time.md), whatever the rows' physical order, the join strategy, the
/// features requested, or the path (offline join or materialisation).
@Suite("Rows tied in key, event and created time", .enabled(if: TestServices.enabled))
struct TiedRowsTests {
    static let origin = OnlineFixture.origin
    static let hour: Int64 = 3_600_000_000
    static let tied = origin + hour
    static let at = origin + 2 * hour

    /// Rows of user 1 tied four ways (the winner has the highest clicks, then spend: clicks 5, spend 2, segment
    /// "a", although "zz" is the greatest segment), and of user 2 tied on every value but the segment, where
    /// the UTF-8 bytes of "é" rank above "z".
    static let userRows: [OnlineFixture.UserRow] = [
        .init(user: 1, ts: tied, created: tied, clicks: 5, spend: 1, segment: "z"),
        .init(user: 1, ts: tied, created: tied, clicks: 5, spend: 2, segment: "a"),
        .init(user: 1, ts: tied, created: tied, clicks: nil, spend: 9, segment: "zz"),
        .init(user: 1, ts: tied, created: tied, clicks: 4, spend: 8, segment: "y"),
        .init(user: 1, ts: origin, created: origin, clicks: 99, spend: 99, segment: "older"),
        .init(user: 2, ts: tied, created: tied, clicks: 1, spend: 3, segment: "z"),
        .init(user: 2, ts: tied, created: tied, clicks: 1, spend: 3, segment: "é"),
    ]
    /// Store rows tied on (key, event time), the source having no created time: visits first (the declared
    /// order), then a rating ranks above null.
    static let storeRows: [(code: String, ts: Int64, visits: Int64?, rating: Double?)] = [
        ("s1", tied, 10, nil), ("s1", tied, 10, 1.5), ("s1", tied, 7, 4.0),
    ]

    static let references = [
        "user_stats:segment", "user_stats:spend", "user_stats:clicks", "store_stats:rating", "store_stats:visits",
    ].compactMap(FeatureReference.init(parsing:))

    /// The training set and the online values of a fresh fixture holding the tied rows in `order`.
    static func results(
        order: [Int], storeOrder: [Int], requests: [[FeatureReference]]
    ) throws -> (offline: [String: Column], online: [String: Column], seqscans: String) {
        let fixture = try OnlineFixture()
        try fixture.insert(order.map { userRows[$0] })
        try fixture.insertStores(storeOrder.map { storeRows[$0] })
        let spine = Frame(
            names: ["user_id", "store_code", "event_timestamp"],
            columns: [Column(int64: [1, 2]), Column(string: ["s1", "s1"]), Column(timestamp: [at, at])])
        var offline: [String: Column] = [:]
        for strategy in [JoinStrategy.extraction, .sortMerge, .lateral] {
            for request in requests {
                let frame = try PointInTimeJoin(connection: fixture.registry.connection, strategy: strategy).join(
                    spine: spine, selection: try FeatureSelection.resolve(request, in: fixture.repository))
                for reference in request {
                    let column = frame[reference.columnName]!
                    if let seen = offline[reference.columnName] {
                        #expect(seen == column, "\(reference) with \(strategy) and request \(request)")
                    } else {
                        offline[reference.columnName] = column
                    }
                }
            }
        }
        let seqscans = try fixture.registry.connection.execute("SHOW synchronize_seqscans").string(0, 0) ?? ""
        try fixture.materializer().materialize(project: OnlineFixture.project, start: nil, end: at)
        var online: [String: Column] = [:]
        let users = try fixture.store().onlineFeatures(
            references.filter { $0.view == "user_stats" }, entities: OnlineFixture.users([1, 2]), at: at)
        for (f, reference) in users.references.enumerated() { online[reference.columnName] = users.values[f] }
        let stores = try fixture.store().onlineFeatures(
            references.filter { $0.view == "store_stats" },
            entities: Frame(names: ["store_code"], columns: [Column(string: ["s1", "s1"])]), at: at)
        for (f, reference) in stores.references.enumerated() { online[reference.columnName] = stores.values[f] }
        return (offline, online, seqscans)
    }

    @Test func theWinnerDependsOnTheValuesOnly() throws {
        let requests = [Self.references] + Self.references.map { [$0] }
        let forward = try Self.results(order: Array(0..<Self.userRows.count), storeOrder: [0, 1, 2], requests: requests)
        let backward = try Self.results(order: Array((0..<Self.userRows.count).reversed()), storeOrder: [2, 1, 0], requests: requests)
        let expected: [String: Column] = [
            "user_stats__segment": Column(string: ["a", "é"]),
            "user_stats__spend": Column(float64: [2, 3]),
            "user_stats__clicks": Column(int64: [5, 1]),
            "store_stats__rating": Column(float64: [1.5, 1.5]),
            "store_stats__visits": Column(int64: [10, 10]),
        ]
        for run in [forward, backward] {
            for (name, column) in expected {
                #expect(run.offline[name] == column, "offline \(name)")
                #expect(run.online[name] == column, "online \(name)")
            }
        }
    }

    @Test func aJoinLeavesTheConnectionsSettingsAlone() throws {
        let run = try Self.results(order: [0, 1], storeOrder: [0], requests: [Self.references])
        #expect(run.seqscans == "on")
    }
}

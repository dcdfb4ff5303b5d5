import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import StrataColumnar
import StrataCore
import StrataOffline
import StrataOnline
import StrataRedis
import StrataRegistry
import StrataServer
import StrataTestSupport
import StrataTraining

/// An online fixture (the `shop` project, materialised) with a feature server over it.
///
/// Users: 1 fresh and complete (spend 2.0, so that its JSON must read `2.0`), 2 fresh with null values,
/// 3 absent, 4 older than the ttl at `at`; store s1. Lookups pass `at`, since the data lies in 2026-01.
final class ServerFixture {
    static let day = OnlineFixture.microsPerDay
    static let t0 = OnlineFixture.origin
    /// The instant the fixture's requests answer as of.
    static let at = t0 + 9 * day + 3_600_000_000
    static let atText = UTCTimestamp.format(at)

    let online: OnlineFixture
    let server: FeatureServer

    init(redisURL: String? = nil, _ configure: (inout ServerConfiguration) -> Void = { _ in }) throws {
        online = try OnlineFixture(redisURL: redisURL)
        try online.insert([
            .init(user: 1, ts: Self.t0 + 9 * Self.day, created: Self.t0, clicks: 7, spend: 2.0, segment: "gold \"1\""),
            .init(user: 2, ts: Self.t0 + 9 * Self.day, created: Self.t0, clicks: nil, spend: nil, ratio: nil, rank: nil,
                  vip: nil, segment: nil, lastSeen: nil),
            .init(user: 4, ts: Self.t0 + 2 * Self.day, created: Self.t0, clicks: 9),
        ])
        try online.insertStores([("s1", Self.t0, 3, 4.5)])
        try online.materializer().materialize(project: OnlineFixture.project, start: nil, end: Self.t0 + 10 * Self.day)
        var configuration = ServerConfiguration(postgresURL: online.postgresURL, redisURL: online.redisURL)
        configuration.port = 0
        configure(&configuration)
        server = try FeatureServer(configuration: configuration, logger: Self.logger)
    }

    /// The servers' logger: errors only, so that the expected warnings of failure tests stay quiet.
    static let logger: Logger = {
        var logger = Logger(label: "strata.serve.test")
        logger.logLevel = .error
        return logger
    }()

    deinit { server.stopWorkers() }

    /// What `strata online` prints for `references` and `users` at `at`.
    func cliJSON(_ references: [String], users: [Int64], at: Int64 = ServerFixture.at) throws -> String {
        let parsed = references.compactMap(FeatureReference.init(parsing:))
        return try online.store().onlineFeatures(parsed, entities: OnlineFixture.users(users), at: at).feastJSON()
    }

    /// The users whose history trains the fixture's models, far from those the tests look up.
    static let trainingUsers: ClosedRange<Int64> = 1_001...1_300
    /// The features the fixture's models read unless told otherwise.
    static let modelFeatures = ["user_stats:clicks", "user_stats:spend", "user_stats:rank"]
    /// The training users' (clicks, spend) as inserted, which the labels are drawn from.
    private var trainingHistory: [(clicks: Int64, spend: Double?)] = []
    private var spines = 0

    /// Trains a small GBDT on `features` over a point-in-time-correct training set of the training users
    /// (their history is inserted on first use, on day 1, before any change of the schema) with labels
    /// drawn from `seed`, and registers it through `SavedTrainingSets.registerModel` as the next version
    /// of `name`, that set saved as its lineage, as `strata train` does.
    @discardableResult
    func registerModel(
        _ name: String, seed: UInt64, iterations: Int = 20, features: [String] = ServerFixture.modelFeatures
    ) throws -> (version: Int, model: Model) {
        if trainingHistory.isEmpty { try insertTrainingHistory() }
        var rng = SeededGenerator(seed: seed)
        let users = Array(Self.trainingUsers)
        let labels = trainingHistory.map { row in
            Double(row.clicks) / 50 + (row.spend ?? 0) + Double.random(in: -1...1, using: &rng) > 1 ? 1.0 : 0.0
        }
        spines += 1
        let spine = "spine_\(name)_\(spines)"
        try online.db.execute("CREATE TABLE \(spine) (user_id bigint, event_timestamp timestamptz, label double precision)")
        try online.db.copyIn(
            table: spine, columnNames: ["user_id", "event_timestamp", "label"],
            columns: [
                Column(int64: users), Column(timestamp: users.indices.map { Self.trainingTime($0) + 60_000_000 }),
                Column(float64: labels),
            ])
        let references = features.compactMap(FeatureReference.init(parsing:))
        let set = try TrainingSetBuilder(registry: online.registry).build(
            TrainingSetRequest(features: .references(references), spine: .table(spine), project: OnlineFixture.project))
        var parameters = TrainingParameters()
        parameters.numIterations = iterations
        parameters.numLeaves = 7
        parameters.minDataInLeaf = 5
        parameters.numThreads = 1
        parameters.seed = Int(seed)
        let result = try Trainer.train(
            frame: set.frame, label: "label", features: references.map(\.columnName), algorithm: .gbdt, parameters: parameters)
        let registered = try SavedTrainingSets(registry: online.registry).registerModel(
            ModelStore.Version(
                project: OnlineFixture.project, name: name, algorithm: "gbdt", parameters: result.model.parameters,
                features: references.map(\.description), label: "label", trainingSet: "", metrics: [:],
                artifact: result.model.artifact()),
            trainedOn: set)
        return (registered.version, result.model)
    }

    /// When training user number `index` had its row: day 1, a minute apart.
    private static func trainingTime(_ index: Int) -> Int64 {
        t0 + day + Int64(index) * 60_000_000
    }

    private func insertTrainingHistory() throws {
        var rng = SeededGenerator(seed: 99)
        let users = Array(Self.trainingUsers)
        trainingHistory = users.map { _ in
            (Int64.random(in: 0...100, using: &rng),
             Double.random(in: 0..<1, using: &rng) < 0.05 ? nil : Double.random(in: -5...5, using: &rng))
        }
        try online.insert(users.indices.map { index in
            OnlineFixture.UserRow(
                user: users[index], ts: Self.trainingTime(index), created: Self.t0, clicks: trainingHistory[index].clicks,
                spend: trainingHistory[index].spend, rank: Int32.random(in: -10...10, using: &rng))
        })
    }
}

/// A response read as text and, when it is JSON, as an object.
struct Reply {
    let status: Int
    let text: String
    let headers: HTTPFields

    /// The body parsed as a JSON object (empty when it is not one).
    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
    }
}

extension TestClientProtocol {
    /// POSTs `body` to `path`.
    func post(_ path: String, _ body: String, headers: HTTPFields = [:]) async throws -> Reply {
        try await execute(uri: path, method: .post, headers: headers, body: ByteBuffer(string: body)) { response in
            Reply(status: response.status.code, text: String(buffer: response.body), headers: response.headers)
        }
    }

    /// GETs `path`.
    func get(_ path: String, headers: HTTPFields = [:]) async throws -> Reply {
        try await execute(uri: path, method: .get, headers: headers) { response in
            Reply(status: response.status.code, text: String(buffer: response.body), headers: response.headers)
        }
    }
}

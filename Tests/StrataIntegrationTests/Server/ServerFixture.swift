import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import StrataColumnar
import StrataCore
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

    /// Trains a small GBDT on `user_stats:clicks`, `user_stats:spend` and `user_stats:rank` and
    /// registers it as the next version of `name`.
    @discardableResult
    func registerModel(_ name: String, seed: UInt64, iterations: Int = 20) throws -> (version: Int, model: Model) {
        var rng = SeededGenerator(seed: seed)
        let rows = 300
        let clicks = (0..<rows).map { _ in Double(Int.random(in: 0...100, using: &rng)) }
        let spend = (0..<rows).map { _ in Double.random(in: -5...5, using: &rng) }
        let rank = (0..<rows).map { _ in Double(Int.random(in: -10...10, using: &rng)) }
        let label = (0..<rows).map { clicks[$0] / 50 + spend[$0] + Double.random(in: -1...1, using: &rng) > 1 ? 1.0 : 0.0 }
        let frame = Frame(
            names: ["user_stats__clicks", "user_stats__spend", "user_stats__rank", "label"],
            columns: [Column(float64: clicks), Column(float64: spend), Column(float64: rank), Column(float64: label)])
        var parameters = TrainingParameters()
        parameters.numIterations = iterations
        parameters.numLeaves = 7
        parameters.minDataInLeaf = 5
        parameters.numThreads = 1
        parameters.seed = Int(seed)
        let result = try Trainer.train(frame: frame, label: "label", algorithm: .gbdt, parameters: parameters)
        let (version, _) = try ModelStore(registry: online.registry).register(
            ModelStore.Version(
                project: OnlineFixture.project, name: name, algorithm: "gbdt", parameters: result.model.parameters,
                features: ["user_stats:clicks", "user_stats:spend", "user_stats:rank"], label: "label",
                trainingSet: "\(name)_set", metrics: [:], artifact: result.model.artifact())
        ) { _, _ in "\(name)_set" }
        return (version, result.model)
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

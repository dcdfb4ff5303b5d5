import Foundation
import HummingbirdTesting
import StrataColumnar
import StrataCore
import StrataOnline
import StrataRegistry
@testable import StrataServer
import StrataTestSupport
import Testing

/// `/predict` refuses, as `strata predict` does, a model whose features were retyped or removed since its
/// training set was built, once a breaking apply reaches the running server (each reload judges every
/// model again); a model untouched by the change, and one trained after it, are still served.
@Suite("strata serve: models against a changed registry", .enabled(if: TestServices.enabled))
struct ServerModelCompatibilityTests {
    /// The fixture's schema with user_stats:clicks retyped to float64 and user_stats:rank removed.
    static let changedSchema = OnlineFixture.schema()
        .replacingOccurrences(of: "{ name: clicks, type: int64 }", with: "{ name: clicks, type: float64 }")
        .replacingOccurrences(of: "      - { name: rank, type: int32 }\n", with: "")

    static func predictBody(_ model: String, version: Int) -> String {
        #"{"model":"\#(model)","version":\#(version),"entities":{"user_id":[1,2]},"at":"\#(ServerFixture.atText)"}"#
    }

    /// Retypes the source column and writes the changed schema where `strata apply` reads it.
    static func prepareChange(_ fixture: ServerFixture) throws {
        try fixture.online.db.execute("ALTER TABLE user_events ALTER COLUMN clicks TYPE double precision")
        try changedSchema.write(to: fixture.online.folder.appendingPathComponent("shop.yaml"), atomically: true, encoding: .utf8)
    }

    /// Polls `/health` until the server serves registry version `version`.
    static func waitForRegistry(_ version: Int, _ client: some TestClientProtocol) async throws {
        for _ in 0..<400 {
            let health = try await client.get("/health")
            if (health.json["registry"] as? [String: Any])?["version"] as? Int == version { return }
            try await Task.sleep(for: .milliseconds(25))
        }
        Issue.record("the server never loaded registry version \(version)")
    }

    /// What the test expects of the models once the change is served.
    static func expectRefusal(of clicky: Int, spender: Int, _ client: some TestClientProtocol) async throws {
        let refused = try await client.post("/predict", predictBody("clicky", version: clicky))
        #expect(refused.status == 409, "\(refused.text)")
        #expect(refused.json["error"] as? String == "model_mismatch")
        let detail = refused.json["detail"] as? String ?? ""
        #expect(detail.contains("model clicky v\(clicky) no longer matches the registry"), "\(detail)")
        #expect(detail.contains("user_stats:clicks was int64 when the model was trained and is float64 now"), "\(detail)")
        #expect(detail.contains("user_stats:rank (int32 when trained) is no longer registered"), "\(detail)")
        let served = try await client.post("/predict", predictBody("spender", version: spender))
        #expect(served.status == 200, "\(served.text)")
    }

    @Test func aBreakingApplyWhileServingMakesPredictRefuseTheRetypedModel() async throws {
        let fixture = UncheckedSendable(try ServerFixture())
        let clicky = try fixture.value.registerModel("clicky", seed: 31).version
        let spender = try fixture.value.registerModel("spender", seed: 32, features: ["user_stats:spend"]).version
        try await fixture.value.server.application().testOnServerThreads(.router) { client in
            #expect(try await client.post("/predict", Self.predictBody("clicky", version: clicky)).status == 200)
            #expect(try await client.post("/predict", Self.predictBody("spender", version: spender)).status == 200)
            try Self.prepareChange(fixture.value)
            let repository = try SchemaLoader.load(directory: fixture.value.online.folder.path)
            let online = fixture.value.online
            _ = try SchemaApply.apply(repository, registry: online.registry, allowBreaking: true) { online.redis }
            try await Self.waitForRegistry(2, client)
            try await Self.expectRefusal(of: clicky, spender: spender, client)

            // A version trained on the changed features is served: verdicts are per version.
            let retrained = try fixture.value.registerModel(
                "clicky", seed: 33, features: ["user_stats:clicks", "user_stats:spend"]).version
            let reply = try await client.post("/predict", Self.predictBody("clicky", version: retrained))
            #expect(reply.status == 200, "\(reply.text)")
        }
    }

    @Test func strataApplyAllowBreakingReachesALiveServerWhosePromotedModelIsThenRefused() async throws {
        let fixture = UncheckedSendable(try ServerFixture())
        let clicky = try fixture.value.registerModel("clicky", seed: 41).version
        let spender = try fixture.value.registerModel("spender", seed: 42, features: ["user_stats:spend"]).version
        try ModelStore(registry: fixture.value.online.registry).promote(name: "clicky", version: clicky, stage: "production")
        let server = try FeatureServer(configuration: fixture.value.server.configuration, logger: ServerFixture.logger)
        let byStage = #"{"model":"clicky","entities":{"user_id":[1]},"at":"\#(ServerFixture.atText)"}"#
        try await server.application().testOnServerThreads(.live) { client in
            #expect(try await client.post("/predict", byStage).status == 200)
            try Self.prepareChange(fixture.value)
            let online = fixture.value.online
            let applied = try StrataCLI.run(
                ["apply", "--allow-breaking", online.folder.path],
                environment: ["STRATA_POSTGRES_URL": online.postgresURL, "STRATA_REDIS_URL": online.redisURL.absoluteString])
            #expect(applied.status == 0, "\(applied.stderr)")
            try await Self.waitForRegistry(2, client)
            let refused = try await client.post("/predict", byStage)
            #expect(refused.status == 409, "\(refused.text)")
            #expect((refused.json["detail"] as? String)?.contains("user_stats:clicks was int64") == true, "\(refused.text)")
            try await Self.expectRefusal(of: clicky, spender: spender, client)
        }
    }
}

/// A reload invalidates the model cache: it then holds exactly the versions a stage points at, the ones
/// it already held kept as they were, so a version read on demand does not outlive the state it came from.
@Suite("strata serve: the model cache on reload", .enabled(if: TestServices.enabled))
struct ServerModelCacheTests {
    @Test func aReloadKeepsOnlyTheStagedVersions() throws {
        let fixture = try ServerFixture()
        let first = try fixture.registerModel("ranker", seed: 51).version
        let second = try fixture.registerModel("ranker", seed: 52).version
        let registry = fixture.online.registry
        try ModelStore(registry: registry).promote(name: "ranker", version: first, stage: "production")
        let models = ModelCache()
        let before = try RegistrySnapshot.load(project: OnlineFixture.project, registry: registry, models: models)
        #expect(before.stages["ranker"]?["production"] == first)
        try models.load(name: "ranker", version: second, project: OnlineFixture.project, registry: registry)
        #expect(Set(models.all.map(\.version)) == [first, second])

        try ModelStore(registry: registry).promote(name: "ranker", version: second, stage: "staging")
        let after = try RegistrySnapshot.load(project: OnlineFixture.project, registry: registry, models: models)
        #expect(after.stages["ranker"] == ["production": first, "staging": second])
        #expect(Set(models.all.map(\.version)) == [first, second])
        #expect(models.all.allSatisfy { after.verdict($0) != nil })

        try ModelStore(registry: registry).promote(name: "ranker", version: second, stage: "production")
        let promoted = try RegistrySnapshot.load(project: OnlineFixture.project, registry: registry, models: models)
        #expect(promoted.stages["ranker"] == ["production": second])
        #expect(models.all.map(\.version) == [second])
    }
}

import Foundation
import StrataOffline
import StrataPostgres
import StrataRegistry
import StrataTestSupport
import StrataTraining
import Testing

@Suite("train, models and predict against a real PostgreSQL")
struct ModelRegistryTests {
    /// A spine whose label is learnable from user_stats:clicks (the label is clicks > 50 at that time).
    static func learnableFixture() throws -> TrainingSetFixture {
        let fixture = try TrainingSetFixture()
        try fixture.registry.connection.executeScript(
            """
            INSERT INTO user_events
            SELECT u, '2026-02-01'::timestamptz + h * interval '1 hour', '2026-02-01'::timestamptz + h * interval '1 hour',
                   (u * 37 + h * 11) % 100, 'n'
            FROM generate_series(100, 160) u, generate_series(0, 47) h;
            CREATE TABLE learn AS
            SELECT u AS user_id, 's1' AS store_code, '2026-02-01'::timestamptz + h * interval '1 hour' + interval '10 minutes' AS event_timestamp,
                   ((u * 37 + h * 11) % 100 > 50) AS label, h >= 36 AS holdout
            FROM generate_series(100, 160) u, generate_series(0, 47) h;
            """)
        return fixture
    }

    @Test func trainRegistersAVersionWithLineageAndMetrics() throws {
        let fixture = try Self.learnableFixture()
        let trained = try StrataCLI.run(
            ["train", "--name", "clicky", "--features", "user_stats:clicks,store_stats:rating", "--spine", "learn",
             "--label", "label", "--algorithm", "gbdt", "--param", "num_iterations=30", "--param", "min_data_in_leaf=5",
             "--validation-column", "holdout", "--json"],
            environment: fixture.cli)
        #expect(trained.status == 0, "\(trained.stderr)")
        let output = try JSONSerialization.jsonObject(with: Data(trained.stdout.utf8)) as? [String: Any]
        #expect(output?["version"] as? Int == 1)
        #expect(output?["training_set"] as? String == "clicky@v1")
        let validation = (output?["metrics"] as? [String: Any])?["validation"] as? [String: Double]
        #expect((validation?["auc"] ?? 0) > 0.95)

        let store = ModelStore(registry: fixture.registry)
        let version = try store.load(name: "clicky")
        #expect(version.features == ["user_stats:clicks", "store_stats:rating"])
        #expect(version.trainingSet == "clicky@v1")
        #expect(version.parameters["num_iterations"] == "30")
        let model = try Model(artifact: version.artifact)
        #expect(model.featureNames == ["user_stats__clicks", "store_stats__rating"])
        #expect(try SavedTrainingSetsCount.of(fixture) == 1)

        let again = try StrataCLI.run(
            ["train", "--name", "clicky", "--features", "user_stats:clicks", "--spine", "learn", "--label", "label",
             "--algorithm", "logistic"], environment: fixture.cli)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try store.load(name: "clicky").version == 2)
        let promoted = try StrataCLI.run(["models", "promote", "clicky", "1", "--stage", "production"], environment: fixture.cli)
        #expect(promoted.status == 0)
        #expect(try store.load(name: "clicky").version == 1)
        #expect(try store.list().map(\.stage) == ["production", "none"])
    }

    static func trainArguments(_ name: String) -> [String] {
        ["train", "--name", name, "--features", "user_stats:clicks", "--spine", "learn", "--label", "label",
         "--param", "num_iterations=5", "--param", "min_data_in_leaf=5"]
    }

    /// Two `train` processes of one name, lined up behind a lock on the saved sets so that both have trained
    /// before either registers: both register, as versions 1 and 2, each with its own lineage set.
    @Test func twoConcurrentTrainsOfOneNameBothRegister() throws {
        let fixture = try Self.learnableFixture()
        let blocker = try PostgresConnection(url: fixture.url)
        try blocker.execute("BEGIN")
        try blocker.execute("LOCK TABLE strata_saved_sets IN EXCLUSIVE MODE")
        let first = try StrataCLI.start(Self.trainArguments("twin"), environment: fixture.cli)
        let second = try StrataCLI.start(Self.trainArguments("twin"), environment: fixture.cli)
        do {
            try Waiting.untilSessionsWaitForLocks(2, on: fixture.registry.connection, seconds: 120)
        } catch {
            Issue.record(error)
        }
        try blocker.execute("COMMIT")
        for outcome in [first.wait(), second.wait()] {
            #expect(outcome.status == 0, "\(outcome.stderr)")
        }
        let versions = try ModelStore(registry: fixture.registry).list().filter { $0.name == "twin" }
        #expect(versions.map(\.version) == [1, 2])
        #expect(versions.map(\.trainingSet) == ["twin@v1", "twin@v2"])
        let saved = SavedTrainingSets(registry: fixture.registry)
        for version in versions {
            #expect(try saved.load(name: version.trainingSet).frame.rowCount == 61 * 48)
        }
    }

    /// Lineage sets have their own namespace: a user's set named `NAME_v2` does not stop model NAME at v2.
    @Test func aUserSetNamedLikeAVersionDoesNotBlockTheModel() throws {
        let fixture = try Self.learnableFixture()
        for name in ["solo_v1", "solo_v2"] {
            let saved = try StrataCLI.run(
                ["training-set", "--features", "user_stats:clicks", "--spine", "learn", "--output", fixture.path("\(name).csv"),
                 "--save", name], environment: fixture.cli)
            #expect(saved.status == 0, "\(saved.stderr)")
        }
        for expected in 1...2 {
            let trained = try StrataCLI.run(Self.trainArguments("solo") + ["--json"], environment: fixture.cli)
            #expect(trained.status == 0, "\(trained.stderr)")
            let output = try JSONSerialization.jsonObject(with: Data(trained.stdout.utf8)) as? [String: Any]
            #expect(output?["version"] as? Int == expected)
            #expect(output?["training_set"] as? String == "solo@v\(expected)")
        }
        let fetched = try StrataCLI.run(["training-set", "--saved", "solo@v2", "--output", fixture.path("v2.csv")], environment: fixture.cli)
        #expect(fetched.status == 0, "\(fetched.stderr)")
        #expect(try SavedTrainingSetsCount.of(fixture) == 4)
    }

    /// Two promotions to production of different versions, released at the same instant: exactly one version
    /// ends in production, and the registry refuses a second one whoever writes it.
    @Test func twoConcurrentPromotesLeaveOneProductionVersion() throws {
        let fixture = try Self.learnableFixture()
        let store = ModelStore(registry: fixture.registry)
        try fixture.registry.connection.execute(
            """
            INSERT INTO strata_models (project, name, version, algorithm, parameters, features, label, training_set, metrics, artifact)
            SELECT 'shop', 'duo', v, 'gbdt', '{}', '["user_stats:clicks"]', 'label', 'duo@v' || v, '{}', '\\x00'
            FROM generate_series(1, 2) v
            """)
        // Row locks on both versions hold each promotion at its first write until both have started.
        let blocker = try PostgresConnection(url: fixture.url)
        try blocker.execute("BEGIN")
        try blocker.execute("UPDATE strata_models SET stage = stage WHERE name = 'duo'")
        let promotions = try ["1", "2"].map { try StrataCLI.start(["models", "promote", "duo", $0], environment: fixture.cli) }
        do {
            try Waiting.untilSessionsWaitForLocks(2, on: fixture.registry.connection)
        } catch {
            Issue.record(error)
        }
        try blocker.execute("COMMIT")
        for outcome in promotions.map({ $0.wait() }) {
            #expect(outcome.status == 0, "\(outcome.stderr)")
        }
        let stages = try store.list().filter { $0.name == "duo" }.map(\.stage)
        #expect(stages.filter { $0 == "production" }.count == 1, "\(stages)")
        #expect(stages.filter { $0 == "archived" }.count == 1, "\(stages)")
        let error = try #require(throws: PostgresError.self) {
            try fixture.registry.connection.execute("UPDATE strata_models SET stage = 'production' WHERE name = 'duo'")
        }
        #expect(error.sqlState == PostgresError.uniqueViolation)
    }

    @Test func predictScoresASpineAndExportWritesLightGBMText() throws {
        let fixture = try Self.learnableFixture()
        let trained = try StrataCLI.run(
            ["train", "--name", "m", "--features", "user_stats:clicks", "--spine", "learn", "--label", "label",
             "--param", "num_iterations=10", "--param", "min_data_in_leaf=5"], environment: fixture.cli)
        #expect(trained.status == 0, "\(trained.stderr)")
        let predicted = try StrataCLI.run(
            ["predict", "--model", "m", "--spine", "SELECT user_id, store_code, event_timestamp FROM learn ORDER BY user_id, event_timestamp LIMIT 20",
             "--output", fixture.path("scores.csv")], environment: fixture.cli)
        #expect(predicted.status == 0, "\(predicted.stderr)")
        let lines = try String(contentsOfFile: fixture.path("scores.csv"), encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 21)
        #expect(lines[0] == "user_id,store_code,event_timestamp,user_stats__clicks,prediction")
        let scores = lines.dropFirst().compactMap { Double($0.split(separator: ",").last!) }
        #expect(scores.count == 20 && scores.allSatisfy { (0...1).contains($0) })
        let exported = try StrataCLI.run(["models", "export", "m", "--format", "lightgbm"], environment: fixture.cli)
        #expect(exported.status == 0)
        #expect(exported.stdout.hasPrefix("tree\nversion=v4\n"))
        #expect(exported.stdout.contains("feature_names=user_stats__clicks"))
    }

    @Test func predictRefusesAModelWhoseFeaturesWereRetyped() throws {
        let fixture = try Self.learnableFixture()
        for (name, features) in [("clicky", "user_stats:clicks"), ("rated", "store_stats:rating")] {
            let trained = try StrataCLI.run(
                ["train", "--name", name, "--features", features, "--spine", "learn", "--label", "label",
                 "--param", "num_iterations=5", "--param", "min_data_in_leaf=5"], environment: fixture.cli)
            #expect(trained.status == 0, "\(trained.stderr)")
        }
        try fixture.registry.connection.execute("ALTER TABLE user_events ALTER COLUMN clicks TYPE double precision")
        try TrainingSetFixture.schema.replacingOccurrences(of: "{ name: clicks, type: int64 }", with: "{ name: clicks, type: float64 }")
            .write(to: fixture.folder.appendingPathComponent("shop.yaml"), atomically: true, encoding: .utf8)
        let applied = try StrataCLI.run(["apply", "--allow-breaking", fixture.folder.path], environment: fixture.cli)
        #expect(applied.status == 0, "\(applied.stderr)")

        let spine = "SELECT user_id, store_code, event_timestamp FROM learn LIMIT 5"
        let refused = try StrataCLI.run(
            ["predict", "--model", "clicky", "--spine", spine, "--output", fixture.path("clicky.csv")], environment: fixture.cli)
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("model clicky v1 no longer matches the registry"), "\(refused.stderr)")
        #expect(refused.stderr.contains("user_stats:clicks was int64 when the model was trained and is float64 now"))
        #expect(!FileManager.default.fileExists(atPath: fixture.path("clicky.csv")))
        let scored = try StrataCLI.run(
            ["predict", "--model", "rated", "--spine", spine, "--output", fixture.path("rated.csv")], environment: fixture.cli)
        #expect(scored.status == 0, "\(scored.stderr)")
    }

    @Test func badTrainingInputExitsTwo() throws {
        let fixture = try Self.learnableFixture()
        for (arguments, message) in [
            (["--label", "missing"], "no label column 'missing'"),
            (["--label", "label", "--param", "num_leaves=0"], "num_leaves"),
            (["--label", "label", "--param", "bogus=1"], "unknown parameter 'bogus'"),
            (["--label", "label", "--param", "min_data_in_leaf=9223372036854775807"], "an integer from 0 to 2147483647"),
            (["--label", "label", "--algorithm", "svm"], "--algorithm"),
        ] {
            let outcome = try StrataCLI.run(
                ["train", "--name", "bad", "--features", "user_stats:clicks", "--spine", "learn"] + arguments, environment: fixture.cli)
            #expect(outcome.status == 2, "\(arguments): \(outcome.stderr)")
            #expect(outcome.stderr.contains(message), "\(outcome.stderr)")
        }
        #expect(try ModelStore(registry: fixture.registry).list().isEmpty)
        let missing = try StrataCLI.run(["predict", "--model", "nope", "--spine", "learn", "--output", fixture.path("x.csv")], environment: fixture.cli)
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("no model nope"))
    }
}

enum SavedTrainingSetsCount {
    static func of(_ fixture: TrainingSetFixture) throws -> Int64 {
        try fixture.registry.connection.execute("SELECT count(*) FROM strata_saved_sets").int(0, 0)!
    }
}

import Foundation
import StrataColumnar
import StrataCore
import StrataOnline
import StrataPostgres
import StrataTestSupport
import Testing

/// docs/point-in-time.md "Non-finite values": push refuses NaN and ±Infinity; values a source table
/// already holds are read as they are, the same in training sets and online; GBDT trains on them,
/// linear models refuse them. Driven through the `strata` binary, since the old behaviour trapped.
@Suite("Non-finite float values on every path", .enabled(if: TestServices.enabled))
struct NonFiniteValueTests {
    static let at = "2026-01-01T12:00:00Z"

    /// Users 1-3 hold spend NaN, +Infinity and -Infinity and ratio the same in float32; users 4-60 finite values.
    static func fixture() throws -> OnlineFixture {
        let fixture = try OnlineFixture()
        let t = OnlineFixture.origin
        var rows = [
            OnlineFixture.UserRow(user: 1, ts: t, created: t, spend: .nan, ratio: .nan),
            OnlineFixture.UserRow(user: 2, ts: t, created: t, spend: .infinity, ratio: .infinity),
            OnlineFixture.UserRow(user: 3, ts: t, created: t, spend: -.infinity, ratio: -.infinity),
        ]
        for user in Int64(4)...60 {
            rows.append(OnlineFixture.UserRow(user: user, ts: t, created: t, spend: Double(user % 7) - 3, ratio: Float(user % 5)))
        }
        try fixture.insert(rows)
        try fixture.db.executeScript(
            """
            CREATE TABLE spine AS
            SELECT u AS user_id, '\(Self.at)'::timestamptz AS event_timestamp, (u % 7 > 3) AS label, u % 4 = 0 AS holdout
            FROM generate_series(1, 60) u;
            """)
        return fixture
    }

    static func environment(_ fixture: OnlineFixture) -> [String: String] {
        ["STRATA_POSTGRES_URL": fixture.postgresURL, "STRATA_REDIS_URL": fixture.redisURL.absoluteString]
    }

    @Test func trainingSetsAndOnlineLookupsAgreeOnNaNAndInfinities() throws {
        let fixture = try Self.fixture()
        let cli = Self.environment(fixture)
        let output = fixture.folder.appendingPathComponent("set.csv").path
        let built = try StrataCLI.run(
            ["training-set", "--features", "user_stats:spend,user_stats:ratio", "--spine",
             "SELECT user_id, event_timestamp FROM spine WHERE user_id <= 3 ORDER BY user_id", "--output", output],
            environment: cli)
        #expect(built.status == 0, "\(built.stderr)")
        let lines = try String(contentsOfFile: output, encoding: .utf8).split(separator: "\n").dropFirst()
        let offline = lines.map { line in line.split(separator: ",").suffix(2).map { String($0) } }
        #expect(offline == [["nan", "nan"], ["inf", "inf"], ["-inf", "-inf"]])

        let materialized = try StrataCLI.run(["materialize-incremental", "--end", Self.at], environment: cli)
        #expect(materialized.status == 0, "\(materialized.stderr)")
        let online = try StrataCLI.run(
            ["online", "--features", "user_stats:spend,user_stats:ratio", "--entity", "user_id=1", "--entity", "user_id=2",
             "--entity", "user_id=3", "--at", Self.at],
            environment: cli)
        #expect(online.status == 0, "\(online.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(online.stdout.utf8)) as? [String: Any])
        let results = try #require(json["results"] as? [[String: Any]])
        for feature in 1...2 {
            #expect(results[feature]["values"] as? [String] == ["NaN", "Infinity", "-Infinity"])
            #expect(results[feature]["statuses"] as? [String] == ["PRESENT", "PRESENT", "PRESENT"])
        }
        // Both paths give the same three values.
        let onlineValues = (results[1]["values"] as? [String] ?? []).compactMap { Double($0) }
        let offlineValues = offline.compactMap { Double($0[0]) }
        #expect(onlineValues.count == 3 && offlineValues.count == 3)
        #expect(zip(onlineValues, offlineValues).allSatisfy { a, b in a == b || (a.isNaN && b.isNaN) })
    }

    @Test func gbdtTrainsOnInfinitiesAndLinearModelsRefuseThemByName() throws {
        let fixture = try Self.fixture()
        let cli = Self.environment(fixture)
        let gbdt = try StrataCLI.run(
            ["train", "--name", "nf", "--features", "user_stats:spend,user_stats:ratio", "--spine", "spine", "--label", "label",
             "--validation-column", "holdout", "--param", "num_iterations=5", "--param", "min_data_in_leaf=2"],
            environment: cli)
        #expect(gbdt.status == 0, "\(gbdt.stderr)")
        let predicted = try StrataCLI.run(
            ["predict", "--model", "nf", "--spine", "SELECT user_id, event_timestamp FROM spine ORDER BY user_id",
             "--output", fixture.folder.appendingPathComponent("scores.csv").path],
            environment: cli)
        #expect(predicted.status == 0, "\(predicted.stderr)")
        let scores = try String(contentsOfFile: fixture.folder.appendingPathComponent("scores.csv").path, encoding: .utf8)
            .split(separator: "\n").dropFirst().compactMap { $0.split(separator: ",").last.flatMap { Double($0) } }
        #expect(scores.count == 60 && scores.allSatisfy { $0.isFinite })

        for algorithm in ["logistic", "linear"] {
            let outcome = try StrataCLI.run(
                ["train", "--name", "nf_\(algorithm)", "--features", "user_stats:spend", "--spine", "spine", "--label", "label",
                 "--algorithm", algorithm] + (algorithm == "linear" ? ["--param", "objective=regression"] : []),
                environment: cli)
            #expect(outcome.status == 2, "\(algorithm): \(outcome.stderr)")
            #expect(outcome.stderr.contains("feature 'user_stats__spend' is inf at row 2; \(algorithm) models need finite values or null"), "\(outcome.stderr)")
        }
    }

    @Test(arguments: ["NaN", "nan", "1e400", "-1e400", "inf", "-Infinity"])
    func pushRefusesNonFiniteValuesNamingFileLineColumnAndValue(value: String) throws {
        let fixture = try Self.fixture()
        let file = fixture.folder.appendingPathComponent("rows.csv").path
        try """
            user_id,ts,created,clicks,spend,ratio,rank,vip,segment,last_seen
            70,2026-01-04T00:00:00Z,,1,1.5,,,,,
            71,2026-01-04T00:00:00Z,,1,\(value),,,,,
            """.write(toFile: file, atomically: true, encoding: .utf8)
        let before = try fixture.dump()
        let outcome = try StrataCLI.run(["push", "user_stats", file, "--offline"], environment: Self.environment(fixture))
        #expect(outcome.status == 2, "\(outcome.stderr)")
        #expect(outcome.stderr.contains(
            "\(file):3: column spend (field 5): '\(value)' is not a finite float64; push accepts finite numbers only"), "\(outcome.stderr)")
        #expect(try fixture.dump() == before)
        #expect(try fixture.db.execute("SELECT count(*) FROM user_events WHERE user_id >= 70").int(0, 0) == 0)
    }
}

import Foundation
import StrataColumnar
import StrataCore
import StrataEmbedded
import StrataExample
import StrataPostgres
import StrataTestSupport
import Testing

/// The rough edges a new user hit in the first hour (issue 9), each through the `strata` binary: a
/// clear message and the right exit code where there was a silent wrong result or a raw error.
@Suite("Rough edges of the CLI", .enabled(if: TestServices.enabled))
struct RoughEdgesTests {
    @Test(arguments: ["set.parquet", "set.json", "SET.txt"])
    func anOutputThatIsNotCSVIsRefused(name: String) throws {
        let fixture = try TrainingSetFixture()
        let outcome = try StrataCLI.run(
            ["training-set", "--service", "scoring", "--spine", "spine", "--output", fixture.path(name)], environment: fixture.cli)
        #expect(outcome.status == 2, "\(outcome.stderr)")
        #expect(outcome.stderr.contains("expected a .csv file or pg:TABLE"), "\(outcome.stderr)")
        #expect(!FileManager.default.fileExists(atPath: fixture.path(name)))
    }

    @Test(arguments: ["set.csv", "SET.CSV", "set"])
    func aCSVOrExtensionlessOutputIsWritten(name: String) throws {
        let fixture = try TrainingSetFixture()
        let outcome = try StrataCLI.run(
            ["training-set", "--service", "scoring", "--spine", "spine", "--output", fixture.path(name)], environment: fixture.cli)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(try String(contentsOfFile: fixture.path(name), encoding: .utf8).hasPrefix("user_id,store_code,"))
    }

    @Test func listingAProjectThatIsNotRegisteredIsAnError() throws {
        let fixture = try TrainingSetFixture()
        let missing = try StrataCLI.run(["list", "--project", "nosuch"], environment: fixture.cli)
        #expect(missing.status == 2, "\(missing.stdout)")
        #expect(missing.stderr.contains("project nosuch is not registered (registered: shop)"), "\(missing.stderr)")
        #expect(missing.stdout.isEmpty)
        let present = try StrataCLI.run(["list", "--project", "shop"], environment: fixture.cli)
        #expect(present.status == 0 && present.stdout.hasPrefix("project shop"), "\(present.stdout)\(present.stderr)")
    }

    /// A URL libpq cannot read is the user's input (exit 2); a server that is up but lacks the database
    /// is not reported as one that may not be running.
    @Test func aMalformedURLIsBadInputAndAMissingDatabaseIsNamed() throws {
        let malformed = try StrataCLI.run(["list", "--postgres", "postgresql://h:notaport/db"])
        #expect(malformed.status == 2, "\(malformed.stderr)")
        #expect(malformed.stderr.contains("notaport"), "\(malformed.stderr)")
        #expect(!malformed.stderr.contains("Is PostgreSQL running?"), "\(malformed.stderr)")

        let url = try TestServices.shared.freshDatabaseURL()
        let missing = url.replacingOccurrences(of: "/" + (url.split(separator: "/").last ?? ""), with: "/no_such_database")
        let outcome = try StrataCLI.run(["list", "--postgres", missing])
        #expect(outcome.status == 3, "\(outcome.stderr)")
        #expect(outcome.stderr.contains(#"database "no_such_database" does not exist"#), "\(outcome.stderr)")
        #expect(outcome.stderr.contains("The server is running but refused the database"), "\(outcome.stderr)")
        #expect(!outcome.stderr.contains("Is PostgreSQL running?"), "\(outcome.stderr)")
    }

    @Test func exportingIntoAFolderThatDoesNotExistNamesTheFolder() throws {
        let fixture = try TrainingSetFixture()
        let trained = try StrataCLI.run(
            ["train", "--name", "m", "--features", "store_stats:rating,user_stats:clicks", "--spine", "spine", "--label", "label", "--algorithm", "gbdt",
             "--param", "num_iterations=2", "--param", "min_data_in_leaf=1"],
            environment: fixture.cli)
        #expect(trained.status == 0, "\(trained.stderr)")
        let target = fixture.path("nodir/model.txt")
        let outcome = try StrataCLI.run(["models", "export", "m", "--output", target], environment: fixture.cli)
        #expect(outcome.status == 2, "\(outcome.stderr)")
        #expect(outcome.stderr.contains("folder \(fixture.path("nodir")) does not exist"), "\(outcome.stderr)")
        #expect(!outcome.stderr.contains("NSCocoaErrorDomain"), "\(outcome.stderr)")
    }

    @Test func aConstantLabelIsWarnedAbout() throws {
        let fixture = try TrainingSetFixture()
        let constant = "SELECT user_id, store_code, event_timestamp, 1 AS label FROM spine"
        let outcome = try StrataCLI.run(
            ["train", "--name", "m", "--features", "store_stats:rating,user_stats:clicks", "--spine", constant, "--label", "label", "--algorithm", "logistic"],
            environment: fixture.cli)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stderr.contains("warning: label 'label' is 1.0 in every row of the training set"), "\(outcome.stderr)")
        let varied = try StrataCLI.run(
            ["train", "--name", "m", "--features", "store_stats:rating,user_stats:clicks", "--spine", "spine", "--label", "label", "--algorithm", "logistic"],
            environment: fixture.cli)
        #expect(varied.status == 0, "\(varied.stderr)")
        #expect(!varied.stderr.contains("warning: label"), "\(varied.stderr)")
    }

    @Test func aNumericLabelForABinaryGBDTSuggestsRegression() throws {
        let fixture = try TrainingSetFixture()
        let numeric = "SELECT user_id, store_code, event_timestamp, label * 2.5 AS label FROM spine"
        let outcome = try StrataCLI.run(
            ["train", "--name", "m", "--features", "store_stats:rating,user_stats:clicks", "--spine", numeric, "--label", "label", "--algorithm", "gbdt"],
            environment: fixture.cli)
        #expect(outcome.status == 2, "\(outcome.stderr)")
        #expect(outcome.stderr.contains("--param objective=regression"), "\(outcome.stderr)")
    }

    /// Help texts are paragraphs the argument parser wraps to the screen: within a paragraph of a
    /// command's discussion (80 columns when not on a terminal), no line but the last is cut short, as
    /// source lines wrapped by hand and re-wrapped by the parser were.
    @Test func helpTextsWrapAsParagraphs() throws {
        let verbs = [
            [], ["up"], ["down"], ["plan"], ["apply"], ["list"], ["training-set"], ["train"], ["models"], ["predict"],
            ["demo"], ["materialize"], ["materialize-incremental"], ["push"], ["online"], ["drift"], ["skew"], ["serve"], ["migrate"],
        ]
        for verb in verbs {
            let help = try StrataCLI.run(verb + ["--help"])
            #expect(help.status == 0, "\(verb): \(help.stderr)")
            let discussion = help.stdout.components(separatedBy: "USAGE:")[0]
            let lines = discussion.split(separator: "\n", omittingEmptySubsequences: false)
            for (index, line) in lines.enumerated().dropLast() {
                let next = lines[index + 1]
                let inParagraph = !line.isEmpty && !next.isEmpty && !line.hasPrefix(" ") && !next.hasPrefix(" ")
                #expect(!inParagraph || line.count >= 50, "\(verb): a short line inside a paragraph: '\(line)' before '\(next)'")
            }
        }
    }

    /// With stderr not a terminal (as here: a pipe), a long job's steps print plain progress lines, with
    /// no terminal control codes; `--quiet` silences them and nothing else.
    @Test func progressIsPlainLinesOffATerminalAndQuietSilencesIt() throws {
        let fixture = try OnlineFixture()
        let file = fixture.folder.appendingPathComponent("rows.csv")
        let ts = UTCTimestamp.format(OnlineFixture.origin)
        try (OnlinePushTests.header + "1,\(ts),,10,1.5,0.25,3,true,a,\n2,\(ts),,20,1.5,0.25,3,true,b,\n")
            .write(to: file, atomically: true, encoding: .utf8)
        let environment = ["STRATA_POSTGRES_URL": fixture.postgresURL, "STRATA_REDIS_URL": fixture.redisURL.absoluteString]
        let shown = try StrataCLI.run(["push", "user_stats", file.path], environment: environment)
        #expect(shown.status == 0, "\(shown.stderr)")
        #expect(shown.stderr.split(separator: "\n").contains("user_stats: 2 rows checked"), "\(shown.stderr)")
        #expect(!shown.stderr.contains("\u{1B}"), "\(shown.stderr)")
        let quiet = try StrataCLI.run(["push", "user_stats", file.path, "--quiet"], environment: environment)
        #expect(quiet.status == 0, "\(quiet.stderr)")
        #expect(quiet.stderr.isEmpty, "\(quiet.stderr)")
        #expect(quiet.stdout.contains("user_stats: 2 rows pushed"), "\(quiet.stdout)")
    }

    /// The example schema built into `strata` (embedded from the file at build time) describes the same
    /// repository as loading the repository's `schemas/` folder.
    @Test func theBuiltInExampleSchemaIsTheFilesRepository() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../schemas").standardized
        var loaded = try SchemaLoader.load(directory: folder.path)
        #expect(loaded.locations.values.allSatisfy { $0.file.hasSuffix("/" + ExampleSchema.fileName) })
        // The loader names the file by its full path; the positions in it must be the same.
        loaded.locations = loaded.locations.mapValues { SourceLocation(file: ExampleSchema.fileName, line: $0.line, column: $0.column) }
        let embedded = try SchemaLoader.parse(ExampleSchema.text, file: ExampleSchema.fileName)
        #expect(!embedded.featureViews.isEmpty)
        #expect(embedded == loaded)
    }

    /// `strata demo` in a folder with no `schemas/` applies the built-in example.
    @Test func theDemoRunsInAFolderWithoutSchemas() throws {
        let folder = "/tmp/strata-demo-empty-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer {
            _ = try? LocalServices.down(directory: "\(folder)/.strata")
            try? FileManager.default.removeItem(atPath: folder)
        }
        let outcome = try StrataCLI.run(
            ["demo", "--drivers", "2", "--days", "1", "--quiet"], environment: ["STRATA_POSTGRES_URL": "", "STRATA_REDIS_URL": ""],
            in: URL(fileURLWithPath: folder))
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stdout.contains("==> Applying the example schema (schemas/rides.yaml, built in)"), "\(outcome.stdout)")
        #expect(outcome.stdout.contains("feature services:\n    driver_ranking"), "\(outcome.stdout)")
    }

    /// The verbs that only read run with a role that may only read; they never migrate, and a database
    /// that lacks migrations is reported with `strata migrate` as the way on, which then applies them once.
    @Test func readOnlyVerbsNeedNoWriteRightsAndMigrateIsExplicit() throws {
        let fresh = try TestServices.shared.freshDatabaseURL()
        let before = try StrataCLI.run(["list", "--postgres", fresh])
        #expect(before.status == 2, "\(before.stderr)")
        #expect(before.stderr.contains("run `strata migrate`"), "\(before.stderr)")
        #expect(try PostgresConnection(url: fresh).execute("SELECT to_regclass('strata_migrations') IS NULL").bool(0, 0) == true)
        let migrated = try StrataCLI.run(["migrate", "--postgres", fresh])
        #expect(migrated.status == 0 && migrated.stdout.hasPrefix("registry: applied migrations 1, "), "\(migrated.stdout)\(migrated.stderr)")
        let again = try StrataCLI.run(["migrate", "--postgres", fresh])
        #expect(again.stdout == "registry: up to date\n", "\(again.stdout)\(again.stderr)")

        let fixture = try TrainingSetFixture()
        let role = "strata_reader_\(UUID().uuidString.prefix(8).lowercased())"
        let owner = try PostgresConnection(url: fixture.url)
        try owner.executeScript(
            """
            CREATE ROLE \(role) LOGIN PASSWORD 'reader-secret';
            GRANT USAGE ON SCHEMA public TO \(role);
            GRANT SELECT ON ALL TABLES IN SCHEMA public TO \(role);
            """)
        defer { _ = try? owner.executeScript("DROP OWNED BY \(role); DROP ROLE \(role);") }
        var components = try #require(URLComponents(string: fixture.url))
        components.user = role
        components.password = "reader-secret"
        let reader = try #require(components.string)
        let listed = try StrataCLI.run(["list", "--postgres", reader])
        #expect(listed.status == 0, "\(listed.stderr)")
        #expect(listed.stdout.hasPrefix("project shop"), "\(listed.stdout)")
        let planned = try StrataCLI.run(["plan", fixture.folder.path, "--postgres", reader])
        #expect(planned.status == 0, "\(planned.stderr)")
        let models = try StrataCLI.run(["models", "list", "--postgres", reader])
        #expect(models.status == 0, "\(models.stderr)")
        let applied = try StrataCLI.run(["apply", fixture.folder.path, "--postgres", reader])
        #expect(applied.status != 0, "a read-only role cannot apply: \(applied.stdout)")
    }

    /// Every `--json` output spells its keys in snake_case: none has a camelCase key such as `joinKey`.
    @Test func jsonOutputsUseSnakeCaseKeys() throws {
        let fixture = try TrainingSetFixture()
        let trained = try StrataCLI.run(
            ["train", "--name", "m", "--features", "store_stats:rating,user_stats:clicks", "--spine", "spine", "--label", "label",
             "--algorithm", "logistic", "--json"],
            environment: fixture.cli)
        #expect(trained.status == 0, "\(trained.stderr)")
        let outputs = [
            trained,
            try StrataCLI.run(["list", "--json"], environment: fixture.cli),
            try StrataCLI.run(["plan", fixture.folder.path, "--json"], environment: fixture.cli),
            try StrataCLI.run(["models", "list", "--json"], environment: fixture.cli),
            try StrataCLI.run(["models", "show", "m"], environment: fixture.cli),
            try StrataCLI.run(
                ["training-set", "--service", "scoring", "--spine", "spine", "--output", fixture.path("set.csv"), "--json"],
                environment: fixture.cli),
        ]
        let camelCaseKey = try Regex(#""[a-z0-9]+[A-Z][A-Za-z0-9]*" :"#)
        for outcome in outputs {
            #expect(outcome.status == 0, "\(outcome.stderr)")
            #expect(outcome.stdout.hasPrefix("{") || outcome.stdout.hasPrefix("["), "\(outcome.stdout)")
            #expect(outcome.stdout.firstMatch(of: camelCaseKey) == nil, "\(outcome.stdout)")
        }
        #expect(outputs[1].stdout.contains(#""join_key" : "user_id""#), "\(outputs[1].stdout)")
    }

    /// Files saved by Excel or Notepad start with a UTF-8 byte order mark: schema files, spines and push
    /// files with one read as without it.
    @Test func aByteOrderMarkIsAcceptedInSchemaSpineAndPushFiles() throws {
        let bom = Data([0xEF, 0xBB, 0xBF])
        let fixture = try TrainingSetFixture()
        let schemas = fixture.folder.appendingPathComponent("bom-schemas")
        try FileManager.default.createDirectory(at: schemas, withIntermediateDirectories: true)
        try (bom + Data(TrainingSetFixture.schema.utf8)).write(to: schemas.appendingPathComponent("shop.yaml"))
        let planned = try StrataCLI.run(["plan", schemas.path], environment: fixture.cli)
        #expect(planned.status == 0, "\(planned.stderr)")
        #expect(planned.stdout.contains("No changes"), "\(planned.stdout)")

        let spine = fixture.path("spine.csv")
        try (bom + Data("user_id,store_code,event_timestamp\n1,s1,2026-01-01T12:00:00Z\n".utf8)).write(to: URL(fileURLWithPath: spine))
        let built = try StrataCLI.run(
            ["training-set", "--service", "scoring", "--spine", spine, "--output", fixture.path("set.csv")], environment: fixture.cli)
        #expect(built.status == 0, "\(built.stderr)")
        #expect(try String(contentsOfFile: fixture.path("set.csv"), encoding: .utf8).hasPrefix("user_id,store_code,"))

        let online = try OnlineFixture()
        let rows = online.folder.appendingPathComponent("rows.csv")
        let ts = UTCTimestamp.format(OnlineFixture.origin)
        try (bom + Data((OnlinePushTests.header + "1,\(ts),,10,1.5,0.25,3,true,a,\n").utf8)).write(to: rows)
        let pushed = try StrataCLI.run(
            ["push", "user_stats", rows.path],
            environment: ["STRATA_POSTGRES_URL": online.postgresURL, "STRATA_REDIS_URL": online.redisURL.absoluteString])
        #expect(pushed.status == 0, "\(pushed.stderr)")
        #expect(pushed.stdout.contains("1 rows pushed"), "\(pushed.stdout)")
    }

    /// String join keys are looked up exactly as given: with spaces, commas, or empty; `--entity` keeps
    /// values untrimmed, and `--entities` reads CSV or Feast-style JSON files for values with commas.
    @Test func entityValuesAreExactAndCanComeFromAFile() throws {
        let fixture = try OnlineFixture()
        let t = OnlineFixture.origin
        try fixture.insertStores([(" spaced ", t, 1, 1.5), ("a,b", t, 2, 2.5), ("", t, 3, 3.5), ("spaced", t, 4, 4.5)])
        try fixture.materializer().materialize(project: OnlineFixture.project, start: nil, end: t + 86_400_000_000)
        let environment = ["STRATA_POSTGRES_URL": fixture.postgresURL, "STRATA_REDIS_URL": fixture.redisURL.absoluteString]
        let at = UTCTimestamp.format(t + 1_000_000)
        func lookUp(_ arguments: [String]) throws -> String {
            let outcome = try StrataCLI.run(["online", "--features", "store_stats:visits", "--at", at] + arguments, environment: environment)
            #expect(outcome.status == 0, "\(arguments): \(outcome.stderr)")
            return outcome.stdout
        }
        #expect(try lookUp(["--entity", "store_code= spaced "]).contains(#"{"values":[1],"statuses":["PRESENT"]"#))
        #expect(try lookUp(["--entity", "store_code="]).contains(#"{"values":[3],"statuses":["PRESENT"]"#))
        let csv = fixture.folder.appendingPathComponent("entities.csv")
        try "store_code\n\" spaced \"\n\"a,b\"\n\"\"\nspaced\n".write(to: csv, atomically: true, encoding: .utf8)
        let fromCSV = try lookUp(["--entities", csv.path])
        #expect(fromCSV.contains(#"{"values":[1,2,3,4],"statuses":["PRESENT","PRESENT","PRESENT","PRESENT"]"#), "\(fromCSV)")
        let json = fixture.folder.appendingPathComponent("entities.json")
        try #"{"store_code": ["a,b", " spaced ", "missing"]}"#.write(to: json, atomically: true, encoding: .utf8)
        let fromJSON = try lookUp(["--entities", json.path])
        #expect(fromJSON.contains(#"{"values":[2,1,null],"statuses":["PRESENT","PRESENT","NOT_FOUND"]"#), "\(fromJSON)")

        let unquotedEmpty = fixture.folder.appendingPathComponent("bad.csv")
        try "store_code\ns1\n,\n".write(to: unquotedEmpty, atomically: true, encoding: .utf8)
        let bad = try StrataCLI.run(["online", "--features", "store_stats:visits", "--entities", unquotedEmpty.path], environment: environment)
        #expect(bad.status == 2, "\(bad.stderr)")
    }

    /// Errors in a SQL spine point into the user's query, not into the statement Strata wraps it in; a
    /// spine at year 1 builds rather than failing in PostgreSQL.
    @Test func spineQueryErrorsPointIntoTheUsersText() throws {
        let fixture = try TrainingSetFixture()
        func build(_ spine: String) throws -> StrataCLI.Outcome {
            try StrataCLI.run(
                ["training-set", "--service", "scoring", "--spine", spine, "--output", fixture.path("set.csv")], environment: fixture.cli)
        }
        let line = "  event_timestamp FROM spine WHERE user_id = = 1"
        let twice = try #require(line.range(of: "= ="))
        // The server points at the second '=', 1-based.
        let column = line.distance(from: line.startIndex, to: twice.lowerBound) + 3
        let broken = "SELECT user_id, store_code,\n" + line
        let syntax = try build(broken)
        #expect(syntax.status == 2, "\(syntax.stderr)")
        #expect(syntax.stderr.contains(#"syntax error at or near "=" (line 2, column \#(column) of the query: '= 1')"#), "\(syntax.stderr)")
        #expect(!syntax.stderr.contains("AS spine"), "\(syntax.stderr)")
        let incomplete = try build("SELECT user_id, store_code, event_timestamp FROM spine WHERE")
        #expect(incomplete.status == 2, "\(incomplete.stderr)")
        #expect(incomplete.stderr.contains("syntax error at the end of the query: it is incomplete"), "\(incomplete.stderr)")
        #expect(!incomplete.stderr.contains(#"near ")""#), "\(incomplete.stderr)")

        let yearOne = try build("SELECT 1::bigint AS user_id, 's1'::text AS store_code, '0001-01-01 00:00+00'::timestamptz AS event_timestamp")
        #expect(yearOne.status == 0, "\(yearOne.stderr)")
        #expect(try String(contentsOfFile: fixture.path("set.csv"), encoding: .utf8).contains("0001-01-01T00:00:00Z"))
    }
}

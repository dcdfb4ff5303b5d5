import Testing
import StrataCore

/// A malformed schema and the one error it must produce.
struct MalformedSchema: Sendable, CustomTestStringConvertible {
    var label: String
    var yaml: String
    var code: SchemaError.Code
    var fragment: String
    var line: Int
    var column: Int

    var testDescription: String { label }
}

/// Ten valid lines (an entity `driver` keyed by `driver_id`, a source `stats` with timestamp columns
/// `event_timestamp` and `created`) for cases about views and services, which start at line 11.
private let prelude = """
    project: rides
    entities:
      - name: driver
        join_key: driver_id
        type: int64
    sources:
      - name: stats
        table: driver_stats
        timestamp: event_timestamp
        created_timestamp: created

    """

/// `prelude` and a view `driver_stats` of lines 11-17 whose last line is its only feature,
/// `conv_rate`; cases about services start at line 18.
private func view(_ lines: String = "") -> String {
    prelude + """
        feature_views:
          - name: driver_stats
            entities: [driver]
            source: stats
            ttl: 2d
            features:
              - { name: conv_rate, type: float64 }

        """ + lines
}

private let malformed: [MalformedSchema] = [
    MalformedSchema(
        label: "YAML syntax", yaml: "project: rides\n  bad: indent\n",
        code: .syntax, fragment: "invalid YAML: mapping values are not allowed", line: 2, column: 6
    ),
    MalformedSchema(
        label: "tab indentation", yaml: "project: rides\nentities:\n\t- name: driver\n",
        code: .syntax, fragment: "found character that cannot start any token", line: 3, column: 1
    ),
    MalformedSchema(
        label: "control character", yaml: "project: rides\nentities: \u{1}\n",
        code: .syntax, fragment: "invalid YAML: control characters are not allowed", line: 2, column: 11
    ),
    MalformedSchema(
        label: "duplicate key", yaml: "project: rides\nentities:\n  - name: a\n    name: b\n",
        code: .duplicateKey, fragment: "key 'name' appears more than once", line: 3, column: 5
    ),
    MalformedSchema(
        label: "top level is a list", yaml: "- project: rides\n",
        code: .wrongType, fragment: "the top level of a schema file must be a mapping with keys project, entities",
        line: 1, column: 1
    ),
    MalformedSchema(
        label: "top level is a string", yaml: "rides\n",
        code: .wrongType, fragment: "found the string 'rides'", line: 1, column: 1
    ),
    MalformedSchema(
        label: "unknown top-level key", yaml: "project: rides\nfeatures: []\n",
        code: .unknownKey,
        fragment: "unknown key 'features' in the top level of a schema file; allowed keys: project, entities, sources",
        line: 2, column: 1
    ),
    MalformedSchema(
        label: "no project", yaml: "entities: []\n",
        code: .missingKey, fragment: "no schema file names the project", line: 1, column: 1
    ),
    MalformedSchema(
        label: "project not an identifier", yaml: "project: my-rides\n",
        code: .badValue, fragment: "'project' of the top level of a schema file is 'my-rides', which is not a valid name",
        line: 1, column: 10
    ),
    MalformedSchema(
        label: "entities is a mapping", yaml: "project: rides\nentities:\n  driver:\n    join_key: driver_id\n",
        code: .wrongType, fragment: "'entities' must be a list of entities, found a mapping", line: 3, column: 3
    ),
    MalformedSchema(
        label: "entity is a string", yaml: "project: rides\nentities:\n  - driver\n",
        code: .wrongType, fragment: "entity must be a mapping with keys name, join_key, type, description; found the string 'driver'",
        line: 3, column: 5
    ),
    MalformedSchema(
        label: "entity without join key", yaml: "project: rides\nentities:\n  - name: driver\n    type: int64\n",
        code: .missingKey, fragment: "entity 'driver' is missing required key 'join_key'", line: 3, column: 5
    ),
    MalformedSchema(
        label: "unknown entity key",
        yaml: "project: rides\nentities:\n  - name: driver\n    join_key: driver_id\n    type: int64\n    keys: [a]\n",
        code: .unknownKey,
        fragment: "unknown key 'keys' in entity 'driver'; allowed keys: name, join_key, type, description",
        line: 6, column: 5
    ),
    MalformedSchema(
        label: "bad join key type",
        yaml: "project: rides\nentities:\n  - name: driver\n    join_key: driver_id\n    type: uuid\n",
        code: .badValue, fragment: "'type' of entity 'driver' is 'uuid'; expected one of: int64, string",
        line: 5, column: 11
    ),
    MalformedSchema(
        label: "name starting with a digit",
        yaml: "project: rides\nentities:\n  - name: 2driver\n    join_key: driver_id\n    type: int64\n",
        code: .badValue, fragment: "'name' of entity '2driver' is '2driver', which is not a valid name; expected letters",
        line: 3, column: 11
    ),
    MalformedSchema(
        label: "name of 64 characters",
        yaml: "project: rides\nentities:\n  - name: d\(String(repeating: "x", count: 63))\n"
            + "    join_key: driver_id\n    type: int64\n",
        code: .badValue, fragment: "at most 63 characters", line: 3, column: 11
    ),
    MalformedSchema(
        label: "join key is a list",
        yaml: "project: rides\nentities:\n  - name: driver\n    join_key: [a, b]\n    type: int64\n",
        code: .wrongType, fragment: "'join_key' of entity 'driver' must be a string, found a list", line: 4, column: 15
    ),
    MalformedSchema(
        label: "description is a list",
        yaml: "project: rides\nentities:\n  - name: driver\n    join_key: driver_id\n    type: int64\n"
            + "    description: [a]\n",
        code: .wrongType, fragment: "'description' of entity 'driver' must be a string, found a list",
        line: 6, column: 18
    ),
    MalformedSchema(
        label: "duplicate entity",
        yaml: "project: rides\nentities:\n  - { name: driver, join_key: driver_id, type: int64 }\n"
            + "  - { name: driver, join_key: driver_id, type: int64 }\n",
        code: .duplicateName, fragment: "entity 'driver' is already declared at test.yaml:3:5", line: 4, column: 5
    ),
    MalformedSchema(
        label: "table with three parts",
        yaml: "project: rides\nsources:\n  - name: stats\n    table: a.b.c\n    timestamp: ts\n",
        code: .badValue, fragment: "'table' of source 'stats' is 'a.b.c'; expected a table name or schema.table",
        line: 4, column: 12
    ),
    MalformedSchema(
        label: "source without timestamp",
        yaml: "project: rides\nsources:\n  - name: stats\n    table: driver_stats\n",
        code: .missingKey, fragment: "source 'stats' is missing required key 'timestamp'", line: 3, column: 5
    ),
    MalformedSchema(
        label: "created timestamp equal to timestamp",
        yaml: "project: rides\nsources:\n  - { name: stats, table: t, timestamp: ts, created_timestamp: ts }\n",
        code: .badValue, fragment: "the same column as 'timestamp'", line: 3, column: 64
    ),
    MalformedSchema(
        label: "unknown entity in view", yaml: view().replacingOccurrences(of: "[driver]", with: "[driver, rider]"),
        code: .unknownReference,
        fragment: "feature view 'driver_stats' names entity 'rider', which is not declared; expected one of: driver",
        line: 13, column: 24
    ),
    MalformedSchema(
        label: "entity listed twice in view",
        yaml: view().replacingOccurrences(of: "[driver]", with: "[driver, driver]"),
        code: .duplicateName, fragment: "lists entity 'driver' twice (first at test.yaml:13:16)", line: 13, column: 24
    ),
    MalformedSchema(
        label: "no entities in view", yaml: view().replacingOccurrences(of: "[driver]", with: "[]"),
        code: .badValue, fragment: "'entities' of feature view 'driver_stats' is empty; expected at least one entity name",
        line: 13, column: 15
    ),
    MalformedSchema(
        label: "unknown source", yaml: view().replacingOccurrences(of: "source: stats", with: "source: stat"),
        code: .unknownReference,
        fragment: "feature view 'driver_stats' reads source 'stat', which is not declared; expected one of: stats",
        line: 14, column: 13
    ),
    MalformedSchema(
        label: "ttl in words", yaml: view().replacingOccurrences(of: "ttl: 2d", with: "ttl: 2 days"),
        code: .badValue, fragment: "'ttl' of feature view 'driver_stats' is '2 days'; expected 0 (no limit) or a positive",
        line: 15, column: 10
    ),
    MalformedSchema(
        label: "ttl without unit", yaml: view().replacingOccurrences(of: "ttl: 2d", with: "ttl: 90"),
        code: .badValue, fragment: "is '90'; expected 0 (no limit)", line: 15, column: 10
    ),
    MalformedSchema(
        label: "ttl beyond 100 years", yaml: view().replacingOccurrences(of: "ttl: 2d", with: "ttl: 9999999999d"),
        code: .badValue,
        fragment: "'ttl' of feature view 'driver_stats' is '9999999999d'; expected 0 (no limit) or a positive whole number "
            + "followed by s, m, h or d (e.g. 90s, 15m, 2h, 7d), at most 36500d (100 years)",
        line: 15, column: 10
    ),
    MalformedSchema(
        label: "online expiry beyond 100 years",
        yaml: view().replacingOccurrences(of: "ttl: 2d", with: "ttl: 2d\n    online_expiry: 200000000d"),
        code: .badValue, fragment: "'online_expiry' of feature view 'driver_stats' is '200000000d'; expected 0 (no limit)",
        line: 16, column: 20
    ),
    MalformedSchema(
        label: "online not a bool", yaml: view().replacingOccurrences(of: "ttl: 2d", with: "ttl: 2d\n    online: maybe"),
        code: .wrongType,
        fragment: "'online' of feature view 'driver_stats' must be true or false, found the string 'maybe'",
        line: 16, column: 13
    ),
    MalformedSchema(
        label: "negative online expiry",
        yaml: view().replacingOccurrences(of: "ttl: 2d", with: "ttl: 2d\n    online_expiry: -5m"),
        code: .badValue, fragment: "'online_expiry' of feature view 'driver_stats' is '-5m'", line: 16, column: 20
    ),
    MalformedSchema(
        label: "features is a mapping",
        yaml: view().replacingOccurrences(of: "- { name: conv_rate, type: float64 }", with: "conv_rate: float64"),
        code: .wrongType, fragment: "'features' of feature view 'driver_stats' must be a list of features, found a mapping",
        line: 17, column: 7
    ),
    MalformedSchema(
        label: "no features",
        yaml: view().replacingOccurrences(of: "features:\n      - { name: conv_rate, type: float64 }", with: "features: []"),
        code: .badValue, fragment: "'features' of feature view 'driver_stats' is empty; expected at least one feature",
        line: 16, column: 15
    ),
    MalformedSchema(
        label: "feature without type",
        yaml: view().replacingOccurrences(of: "type: float64", with: "drift: { method: ks }"),
        code: .missingKey,
        fragment: "feature 'conv_rate' of feature view 'driver_stats' is missing required key 'type'",
        line: 17, column: 9
    ),
    MalformedSchema(
        label: "unknown value type", yaml: view().replacingOccurrences(of: "float64", with: "double"),
        code: .badValue,
        fragment: "'type' of feature 'conv_rate' of feature view 'driver_stats' is 'double'; "
            + "expected one of: float64, float32, int64, int32, bool, string, timestamp",
        line: 17, column: 34
    ),
    MalformedSchema(
        label: "duplicate feature", yaml: view("      - { name: conv_rate, type: float32 }\n"),
        code: .duplicateName,
        fragment: "feature 'conv_rate' of feature view 'driver_stats' is already declared at test.yaml:17:9",
        line: 18, column: 9
    ),
    MalformedSchema(
        label: "feature named like a join key", yaml: view("      - { name: driver_id, type: int64 }\n"),
        code: .nameCollision, fragment: "feature 'driver_id' of feature view 'driver_stats' has the name of the join key of entity 'driver'",
        line: 18, column: 17
    ),
    MalformedSchema(
        label: "feature named like the created timestamp", yaml: view("      - { name: created, type: timestamp }\n"),
        code: .nameCollision, fragment: "has the name of the created_timestamp column of source 'stats'",
        line: 18, column: 17
    ),
    MalformedSchema(
        label: "unknown drift method",
        yaml: view().replacingOccurrences(of: "type: float64", with: "type: float64, drift: { method: kl }"),
        code: .badValue,
        fragment: "'method' of drift settings of feature 'conv_rate' of feature view 'driver_stats' is 'kl'; "
            + "expected one of: auto, ks, chisquare, z, wasserstein, jensenshannon, psi, kl_div, hellinger",
        line: 17, column: 60
    ),
    MalformedSchema(
        label: "negative drift threshold",
        yaml: view().replacingOccurrences(of: "type: float64", with: "type: float64, drift: { threshold: -0.1 }"),
        code: .badValue, fragment: "is -0.1; expected a positive number", line: 17, column: 63
    ),
    MalformedSchema(
        label: "drift threshold in words",
        yaml: view().replacingOccurrences(of: "type: float64", with: "type: float64, drift: { threshold: high }"),
        code: .wrongType, fragment: "'threshold' of drift settings of feature 'conv_rate' of feature view 'driver_stats' must be a number, found the string 'high'",
        line: 17, column: 63
    ),
    MalformedSchema(
        label: "join key types in conflict",
        yaml: """
            project: rides
            entities:
              - { name: driver, join_key: id, type: int64 }
              - { name: rider, join_key: id, type: string }
            sources: [{ name: trips, table: trips, timestamp: ts }]
            feature_views:
              - { name: trips, entities: [driver, rider], source: trips, ttl: 0,
                  features: [{ name: fare, type: float64 }] }
            """,
        code: .joinKeyConflict,
        fragment: "entities 'driver' and 'rider' of feature view 'trips' share join key 'id' with different types (int64 and string)",
        line: 7, column: 39
    ),
    MalformedSchema(
        label: "join key types in conflict across a service's views",
        yaml: """
            project: rides
            entities:
              - { name: driver, join_key: id, type: int64 }
              - { name: rider, join_key: id, type: string }
            sources: [{ name: trips, table: trips, timestamp: ts }]
            feature_views:
              - { name: drivers, entities: [driver], source: trips, ttl: 0, features: [{ name: fare, type: float64 }] }
              - { name: riders, entities: [rider], source: trips, ttl: 0, features: [{ name: tip, type: float64 }] }
            feature_services:
              - { name: both, features: [drivers:fare, riders:tip] }
            """,
        code: .joinKeyConflict,
        fragment: "feature service 'both' refers to feature view 'riders', whose entity 'rider' has join key 'id' of type "
            + "string; feature view 'drivers' (entity 'driver') has join key 'id' of type int64; expected one type per join key",
        line: 10, column: 44
    ),
    MalformedSchema(
        label: "malformed reference",
        yaml: view("feature_services:\n  - name: ranking\n    features: [driver_stats.conv_rate]\n"),
        code: .badValue,
        fragment: "'driver_stats.conv_rate' in 'features' of feature service 'ranking' is not a feature reference; expected 'view:feature'",
        line: 20, column: 16
    ),
    MalformedSchema(
        label: "reference to an unknown view",
        yaml: view("feature_services:\n  - name: ranking\n    features: [driver_statz:conv_rate]\n"),
        code: .unknownReference,
        fragment: "feature service 'ranking' refers to feature view 'driver_statz', which is not declared; expected one of: driver_stats",
        line: 20, column: 16
    ),
    MalformedSchema(
        label: "reference to an unknown feature",
        yaml: view("feature_services:\n  - name: ranking\n    features: [driver_stats:conv_rate, driver_stats:acc_rate]\n"),
        code: .unknownReference,
        fragment: "refers to feature 'acc_rate' of feature view 'driver_stats', which has no such feature; expected one of: conv_rate",
        line: 20, column: 40
    ),
    MalformedSchema(
        label: "duplicate reference",
        yaml: view("feature_services:\n  - name: ranking\n    features: [driver_stats:conv_rate, driver_stats:conv_rate]\n"),
        code: .duplicateName,
        fragment: "feature service 'ranking' lists 'driver_stats:conv_rate' twice (first at test.yaml:20:16)",
        line: 20, column: 40
    ),
    MalformedSchema(
        label: "service without features",
        yaml: view("feature_services:\n  - name: ranking\n    features: []\n"),
        code: .badValue, fragment: "'features' of feature service 'ranking' is empty; expected at least one feature reference",
        line: 20, column: 15
    ),
]

@Suite struct SchemaErrorTests {
    @Test(arguments: malformed)
    func malformedSchemaIsReported(_ schema: MalformedSchema) {
        let errors = parseErrors(schema.yaml)
        #expect(errors.count == 1, "\(errors)")
        let error = errors.first
        #expect(error?.code == schema.code)
        #expect(error?.message.contains(schema.fragment) == true, "\(error?.message ?? "no error")")
        #expect(error?.location == SourceLocation(file: "test.yaml", line: schema.line, column: schema.column))
    }

    @Test func theValidBasesParse() throws {
        _ = try SchemaLoader.parse(view(), file: "test.yaml")
        _ = try SchemaLoader.parse(
            view("feature_services:\n  - name: ranking\n    features: [driver_stats:conv_rate]\n"), file: "test.yaml"
        )
    }

    @Test func everyErrorIsReportedAtOnce() {
        let text = """
            project: rides
            entities:
              - name: driver
                join_key: driver_id
                type: uint64
              - name: driver
                join_key: driver_id
            sources:
              - { name: stats, table: driver_stats, timestamp: event_timestamp, colour: red }
            feature_views:
              - name: driver_stats
                entities: [driver]
                source: stats
                ttl: forever
                features:
                  - { name: conv_rate, type: float64 }
            feature_services:
              - name: ranking
                features: [driver_stats:acc_rate]
            """
        let errors = parseErrors(text)
        #expect(errors.map(\.code) == [
            .badValue, .missingKey, .duplicateName, .unknownKey, .badValue, .unknownReference,
        ])
        #expect(errors.map { $0.location?.line } == [5, 6, 6, 9, 14, 19])
        #expect(errors.first?.description
            == "test.yaml:5:11: error: 'type' of entity 'driver' is 'uint64'; expected one of: int64, string")
    }

    @Test func schemaErrorsPrintOneErrorPerLine() {
        let errors = SchemaErrors([
            SchemaError(.badValue, "second", at: SourceLocation(file: "a.yaml", line: 9, column: 1)),
            SchemaError(.noSchemaFiles, "folder", at: nil),
            SchemaError(.badValue, "first", at: SourceLocation(file: "a.yaml", line: 2, column: 7)),
        ])
        #expect(errors.description == "error: folder\na.yaml:2:7: error: first\na.yaml:9:1: error: second")
    }

    /// The errors `parse` throws for `text`, or none.
    private func parseErrors(_ text: String) -> [SchemaError] {
        do {
            _ = try SchemaLoader.parse(text, file: "test.yaml")
            return []
        } catch let errors as SchemaErrors {
            return errors.errors
        } catch {
            Issue.record("unexpected error \(error)")
            return []
        }
    }
}

import StrataColumnar
import StrataCore
import Testing

/// An entity `driver` and a source `trips` (lines 1-9); an aggregation view starts at line 10.
private let prelude = """
    project: rides
    entities:
      - { name: driver, join_key: driver_id, type: int64 }
    sources:
      - name: trips
        table: trips
        timestamp: event_timestamp
        created_timestamp: created
    feature_views:

    """

/// An aggregation view `driver_trips` over lines 10-14 (`hop` on line 13 when given), then `lines`
/// (aggregation entries, one per line, from line 14 or 15).
private func aggregationView(hop: String? = "1h", _ lines: String) -> String {
    prelude + """
          - name: driver_trips
            entities: [driver]
            source: trips

        """ + (hop.map { "    hop: \($0)\n" } ?? "") + "    aggregations:\n" + lines
}

private let valid = aggregationView("""
          - { name: trips_7d, column: "*", function: count, window: 7d }
          - { name: fare_sum_1d, column: fare, function: sum, window: 1d }
          - { name: fare_max_1h, column: fare, function: max, window: 1h, type: float32 }
          - { name: last_rating, column: rating, function: last, window: 30d, type: int32, drift: { method: psi } }
    feature_services:
      - name: ranking
        features: [driver_trips:trips_7d, driver_trips:fare_max_1h]

    """)

private let malformed: [MalformedSchema] = [
    MalformedSchema(
        label: "window not a multiple of the hop",
        yaml: aggregationView("      - { name: a, column: fare, function: sum, window: 90m }\n"),
        code: .badValue,
        fragment: "'window' of aggregation 'a' of feature view 'driver_trips' is 90m, not a multiple of the hop 1h",
        line: 15, column: 57),
    MalformedSchema(
        label: "too many tiles of the default hop",
        yaml: aggregationView(hop: nil, "      - { name: a, column: fare, function: sum, window: 1m }\n      - { name: b, column: fare, function: sum, window: 30d }\n"),
        code: .badValue, fragment: "is 30d, 2592000 tiles of the default hop 1s (declare 'hop' to choose another)", line: 15, column: 57),
    MalformedSchema(
        label: "too many tiles",
        yaml: aggregationView(hop: "1m", "      - { name: a, column: fare, function: sum, window: 30d }\n"),
        code: .badValue, fragment: "is 30d, 43200 tiles of the hop 1m; expected at most 10000 tiles per window",
        line: 15, column: 57),
    MalformedSchema(
        label: "zero window",
        yaml: aggregationView("      - { name: a, column: fare, function: sum, window: 0 }\n"),
        code: .badValue, fragment: "'window' of aggregation 'a' of feature view 'driver_trips' is 0; expected a positive duration",
        line: 15, column: 57),
    MalformedSchema(
        label: "zero hop",
        yaml: aggregationView(hop: "0", "      - { name: a, column: fare, function: sum, window: 1d }\n"),
        code: .badValue, fragment: "'hop' of feature view 'driver_trips' is 0", line: 13, column: 10),
    MalformedSchema(
        label: "star with sum",
        yaml: aggregationView("      - { name: a, column: \"*\", function: sum, window: 1d }\n"),
        code: .badValue, fragment: "'column' of aggregation 'a' of feature view 'driver_trips' is \"*\", which only 'count' takes",
        line: 15, column: 28),
    MalformedSchema(
        label: "bad column name",
        yaml: aggregationView("      - { name: a, column: fare-usd, function: sum, window: 1d }\n"),
        code: .badValue, fragment: "'column' of aggregation 'a' of feature view 'driver_trips' is 'fare-usd'", line: 15, column: 28),
    MalformedSchema(
        label: "unknown function",
        yaml: aggregationView("      - { name: a, column: fare, function: median, window: 1d }\n"),
        code: .badValue, fragment: "'function' of aggregation 'a' of feature view 'driver_trips' is 'median'; expected one of: count, sum, mean, min, max, last, stddev",
        line: 15, column: 44),
    MalformedSchema(
        label: "type a function does not produce",
        yaml: aggregationView("      - { name: a, column: fare, function: mean, window: 1d, type: int64 }\n"),
        code: .badValue, fragment: "'type' of aggregation 'a' of feature view 'driver_trips' is int64, which mean does not produce; expected one of: float64",
        line: 15, column: 68),
    MalformedSchema(
        label: "missing window",
        yaml: aggregationView("      - { name: a, column: fare, function: sum }\n"),
        code: .missingKey, fragment: "aggregation 'a' of feature view 'driver_trips' is missing required key 'window'", line: 15, column: 9),
    MalformedSchema(
        label: "unknown aggregation key",
        yaml: aggregationView("      - { name: a, column: fare, function: sum, window: 1d, every: 1h }\n"),
        code: .unknownKey, fragment: "unknown key 'every' in aggregation 'a' of feature view 'driver_trips'", line: 15, column: 61),
    MalformedSchema(
        label: "features and aggregations",
        yaml: aggregationView("      - { name: a, column: fare, function: sum, window: 1d }\n    features:\n      - { name: fare, type: float64 }\n"),
        code: .badValue, fragment: "'features' does not apply to feature view 'driver_trips', which declares aggregations", line: 17, column: 7),
    MalformedSchema(
        label: "ttl on an aggregation view",
        yaml: aggregationView("      - { name: a, column: fare, function: sum, window: 1d }\n    ttl: 2d\n"),
        code: .badValue, fragment: "'ttl' does not apply to feature view 'driver_trips', which declares aggregations", line: 16, column: 10),
    MalformedSchema(
        label: "hop without aggregations",
        yaml: prelude + "  - name: v\n    entities: [driver]\n    source: trips\n    ttl: 0\n    hop: 1h\n    features:\n      - { name: fare, type: float64 }\n",
        code: .badValue, fragment: "'hop' of feature view 'v' applies only to aggregation views", line: 14, column: 10),
    MalformedSchema(
        label: "duplicate aggregation names",
        yaml: aggregationView("      - { name: a, column: fare, function: sum, window: 1d }\n      - { name: a, column: fare, function: max, window: 1d }\n"),
        code: .duplicateName, fragment: "feature 'a' of feature view 'driver_trips' is already declared at test.yaml:15:9", line: 16, column: 9),
    MalformedSchema(
        label: "aggregation named like the join key",
        yaml: aggregationView("      - { name: driver_id, column: fare, function: sum, window: 1d }\n"),
        code: .nameCollision, fragment: "feature 'driver_id' of feature view 'driver_trips' has the name of the join key", line: 15, column: 17),
    MalformedSchema(
        label: "service refers to an unknown aggregation",
        yaml: aggregationView("      - { name: a, column: fare, function: sum, window: 1d }\nfeature_services:\n  - { name: s, features: [driver_trips:b] }\n"),
        code: .unknownReference, fragment: "refers to feature 'b' of feature view 'driver_trips', which has no such feature; expected one of: a",
        line: 17, column: 27),
]

@Suite("Aggregation views in schema files")
struct AggregationSchemaTests {
    @Test func anAggregationViewParsesToTheModel() throws {
        let repository = try SchemaLoader.parse(valid, file: "rides.yaml")
        let view = try #require(repository.featureView(named: "driver_trips"))
        #expect(view.isAggregation)
        #expect(view.hopSeconds == 3_600)
        #expect(view.ttlSeconds == 0)
        #expect(view.aggregations == [
            Aggregation(name: "trips_7d", column: "*", function: .count, windowSeconds: 7 * 86_400, type: .int64),
            Aggregation(name: "fare_sum_1d", column: "fare", function: .sum, windowSeconds: 86_400, type: .float64),
            Aggregation(name: "fare_max_1h", column: "fare", function: .max, windowSeconds: 3_600, type: .float32),
            Aggregation(
                name: "last_rating", column: "rating", function: .last, windowSeconds: 30 * 86_400, type: .int32,
                drift: DriftSettings(method: "psi")),
        ])
        #expect(view.features.map(\.name) == ["trips_7d", "fare_sum_1d", "fare_max_1h", "last_rating"])
        #expect(view.features.map(\.type) == [.int64, .float64, .float32, .int32])
        #expect(repository.locations[ObjectPath(.featureView, "driver_trips", field: "aggregations.fare_sum_1d.column")]
            == SourceLocation(file: "rides.yaml", line: 16, column: 38))
        #expect(repository.locations[ObjectPath(.featureView, "driver_trips", field: "hop")]
            == SourceLocation(file: "rides.yaml", line: 13, column: 10))
        #expect(repository.featureService(named: "ranking")?.features.count == 2)
    }

    @Test func theDefaultHopDividesEveryWindow() throws {
        #expect(Aggregation.defaultHop(windows: [3_600]) == 300)
        #expect(Aggregation.defaultHop(windows: [86_400, 7 * 86_400]) == 3_600)
        #expect(Aggregation.defaultHop(windows: [14 * 86_400]) == 86_400)
        #expect(Aggregation.defaultHop(windows: [3_600, 86_400, 7 * 86_400]) == 300)
        #expect(Aggregation.defaultHop(windows: [90]) == 1)
        let repository = try SchemaLoader.parse(
            aggregationView(hop: nil, "      - { name: a, column: fare, function: sum, window: 1d }\n"), file: "test.yaml")
        #expect(repository.featureView(named: "driver_trips")?.hopSeconds == 3_600)
    }

    @Test(arguments: malformed)
    func malformedAggregationIsReported(_ schema: MalformedSchema) {
        var errors: [SchemaError] = []
        do {
            _ = try SchemaLoader.parse(schema.yaml, file: "test.yaml")
        } catch let thrown as SchemaErrors {
            errors = thrown.errors
        } catch {
            Issue.record("unexpected \(error)")
        }
        #expect(errors.count == 1, "\(errors)")
        let error = errors.first
        #expect(error?.code == schema.code)
        #expect(error?.message.contains(schema.fragment) == true, "\(error?.message ?? "no error")")
        #expect(error?.location == SourceLocation(file: "test.yaml", line: schema.line, column: schema.column))
    }
}

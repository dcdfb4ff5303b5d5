import StrataCore

/// The project the CSV, online-record and http targets read against: a view with a feature of every type
/// (more than eight, so that null bitmaps span bytes) keyed by an int64 and a string entity, and a
/// view with a ttl and an expiry, of which a lookup requests only some features; and a service over both.
enum FuzzFixture {
    static let schema = """
        project: fuzz
        entities:
          - { name: driver, join_key: driver_id, type: int64 }
          - { name: rider, join_key: rider, type: string }
        sources:
          - { name: trips, table: trips, timestamp: event_timestamp, created_timestamp: created }
          - { name: profiles, table: profiles, timestamp: ts }
        feature_views:
          - name: trips
            entities: [driver, rider]
            source: trips
            ttl: 0
            features:
              - { name: f64, type: float64 }
              - { name: f32, type: float32 }
              - { name: i64, type: int64 }
              - { name: i32, type: int32 }
              - { name: flag, type: bool }
              - { name: label, type: string }
              - { name: seen, type: timestamp }
              - { name: note, type: string }
              - { name: g64, type: float64 }
              - { name: j64, type: int64 }
          - name: profiles
            entities: [rider]
            source: profiles
            ttl: 1d
            online_expiry: 30d
            features:
              - { name: score, type: float64 }
              - { name: tier, type: string }
              - { name: active, type: bool }
        feature_services:
          - name: scoring
            features: [trips:f64, trips:label, profiles:tier]
        """

    /// The fixture's repository, parsed once.
    static let parsed = Result { try SchemaLoader.parse(schema, file: "fixture.yaml") }

    /// The fixture's repository; a failure to parse it is the target's bug, not the input's.
    static func repository(for target: FuzzTarget) throws(FuzzFailure) -> Repository {
        switch parsed {
        case .success(let repository): return repository
        case .failure(let error): throw FuzzFailure(target, "the fixture schema does not load: \(error)")
        }
    }
}

import Foundation
import Testing
import StrataCore

/// A schema in the format of DESIGN.md, with every optional field used somewhere.
private let example = """
    project: rides
    entities:
      - name: driver
        join_key: driver_id
        type: int64
        description: A driver of the fleet.
    sources:
      - name: driver_hourly_stats
        table: public.driver_hourly_stats
        timestamp: event_timestamp
        created_timestamp: created
    feature_views:
      - name: driver_hourly_stats
        entities: [driver]
        source: driver_hourly_stats
        ttl: 2d
        features:
          - { name: conv_rate, type: float64 }
          - { name: avg_daily_trips, type: int64, drift: { method: psi, threshold: 0.2 } }
      - name: driver_activity
        entities: [driver]
        source: driver_hourly_stats
        ttl: 0
        online: false
        online_expiry: 90m
        description: Offline-only activity counts.
        features:
          - name: trips_today
            type: int32
            drift:
              threshold: 3
    feature_services:
      - name: driver_ranking
        description: Features of the ranking model.
        features: [driver_hourly_stats:conv_rate, driver_hourly_stats:avg_daily_trips]

    """

@Suite struct SchemaLoaderTests {
    @Test func exampleParsesToTheModel() throws {
        let repository = try SchemaLoader.parse(example, file: "rides.yaml")
        #expect(repository.project == "rides")
        #expect(repository.entities == [
            Entity(name: "driver", joinKey: "driver_id", type: .int64, description: "A driver of the fleet."),
        ])
        #expect(repository.sources == [
            Source(
                name: "driver_hourly_stats", table: "public.driver_hourly_stats",
                timestampColumn: "event_timestamp", createdTimestampColumn: "created"
            ),
        ])
        #expect(repository.featureViews == [
            FeatureView(
                name: "driver_hourly_stats", entities: ["driver"], source: "driver_hourly_stats",
                ttlSeconds: 172_800, online: true, onlineExpirySeconds: nil,
                features: [
                    Feature(name: "conv_rate", type: .float64),
                    Feature(name: "avg_daily_trips", type: .int64, drift: DriftSettings(method: "psi", threshold: 0.2)),
                ]
            ),
            FeatureView(
                name: "driver_activity", entities: ["driver"], source: "driver_hourly_stats",
                ttlSeconds: 0, online: false, onlineExpirySeconds: 5_400,
                features: [Feature(name: "trips_today", type: .int32, drift: DriftSettings(threshold: 3))],
                description: "Offline-only activity counts."
            ),
        ])
        #expect(repository.featureServices == [
            FeatureService(
                name: "driver_ranking",
                features: [
                    FeatureReference(view: "driver_hourly_stats", feature: "conv_rate"),
                    FeatureReference(view: "driver_hourly_stats", feature: "avg_daily_trips"),
                ],
                description: "Features of the ranking model."
            ),
        ])
    }

    static let exampleLocations: [(ObjectPath, Int, Int)] = [
        (ObjectPath(.entity, "driver"), 3, 5),
        (ObjectPath(.entity, "driver", field: "join_key"), 4, 15),
        (ObjectPath(.entity, "driver", field: "type"), 5, 11),
        (ObjectPath(.source, "driver_hourly_stats"), 8, 5),
        (ObjectPath(.source, "driver_hourly_stats", field: "table"), 9, 12),
        (ObjectPath(.source, "driver_hourly_stats", field: "timestamp"), 10, 16),
        (ObjectPath(.source, "driver_hourly_stats", field: "created_timestamp"), 11, 24),
        (ObjectPath(.featureView, "driver_hourly_stats"), 13, 5),
        (ObjectPath(.featureView, "driver_hourly_stats", field: "entities"), 14, 15),
        (ObjectPath(.featureView, "driver_hourly_stats", field: "entities.0"), 14, 16),
        (ObjectPath(.featureView, "driver_hourly_stats", field: "source"), 15, 13),
        (ObjectPath(.featureView, "driver_hourly_stats", field: "ttl"), 16, 10),
        (ObjectPath(.featureView, "driver_hourly_stats", field: "features"), 18, 7),
        (ObjectPath(.featureView, "driver_hourly_stats", field: "features.conv_rate"), 18, 9),
        (ObjectPath(.featureView, "driver_hourly_stats", field: "features.conv_rate.type"), 18, 34),
        (ObjectPath(.featureView, "driver_hourly_stats", field: "features.avg_daily_trips"), 19, 9),
        (ObjectPath(.featureView, "driver_activity"), 20, 5),
        (ObjectPath(.featureView, "driver_activity", field: "ttl"), 23, 10),
        (ObjectPath(.featureView, "driver_activity", field: "online"), 24, 13),
        (ObjectPath(.featureView, "driver_activity", field: "online_expiry"), 25, 20),
        (ObjectPath(.featureView, "driver_activity", field: "features.trips_today"), 28, 9),
        (ObjectPath(.featureView, "driver_activity", field: "features.trips_today.type"), 29, 15),
        (ObjectPath(.featureService, "driver_ranking"), 33, 5),
        (ObjectPath(.featureService, "driver_ranking", field: "features"), 35, 15),
        (ObjectPath(.featureService, "driver_ranking", field: "features.0"), 35, 16),
        (ObjectPath(.featureService, "driver_ranking", field: "features.1"), 35, 47),
    ]

    @Test(arguments: exampleLocations)
    func exampleRecordsLocations(path: ObjectPath, line: Int, column: Int) throws {
        let repository = try SchemaLoader.parse(example, file: "rides.yaml")
        #expect(repository.locations[path] == SourceLocation(file: "rides.yaml", line: line, column: column))
    }

    @Test func optionalFieldsLeftOutHaveNoLocation() throws {
        let repository = try SchemaLoader.parse(example, file: "rides.yaml")
        #expect(repository.locations[ObjectPath(.featureView, "driver_hourly_stats", field: "online")] == nil)
        #expect(repository.locations[ObjectPath(.featureView, "driver_hourly_stats", field: "online_expiry")] == nil)
    }

    @Test func onlineExpiryOfZeroMeansNever() throws {
        let text = """
            project: rides
            entities: [{ name: driver, join_key: driver_id, type: string }]
            sources: [{ name: trips, table: trips, timestamp: ts }]
            feature_views:
              - { name: trips, entities: [driver], source: trips, ttl: 15m, online_expiry: 0,
                  features: [{ name: fare, type: float32 }] }
            """
        let view = try #require(try SchemaLoader.parse(text, file: "t.yaml").featureView(named: "trips"))
        #expect(view.ttlSeconds == 900)
        #expect(view.online)
        #expect(view.onlineExpirySeconds == nil)
    }

    @Test func emptySectionsAreAllowed() throws {
        let repository = try SchemaLoader.parse("project: empty\nentities:\nsources: []\n", file: "e.yaml")
        #expect(repository == Repository(project: "empty"))
    }

    @Test func folderFilesMergeInNameOrder() throws {
        try withFolder([
            "b_views.yml": """
                feature_views:
                  - name: driver_stats
                    entities: [driver]
                    source: stats
                    ttl: 1h
                    features: [{ name: conv_rate, type: float64 }]
                """,
            "a_entities.yaml": """
                project: rides
                entities:
                  - { name: driver, join_key: driver_id, type: int64 }
                sources:
                  - { name: stats, table: driver_stats, timestamp: event_timestamp }
                """,
            "c_services.yaml": """
                project: rides
                feature_services:
                  - { name: ranking, features: ["driver_stats:conv_rate"] }
                """,
            "notes.txt": "not a schema",
            ".hidden.yaml": "project: other",
        ]) { folder in
            try FileManager.default.createDirectory(atPath: folder + "/nested.yaml", withIntermediateDirectories: false)
            let repository = try SchemaLoader.load(directory: folder)
            #expect(repository.project == "rides")
            #expect(repository.entities.map(\.name) == ["driver"])
            #expect(repository.sources.map(\.name) == ["stats"])
            #expect(repository.featureViews.map(\.name) == ["driver_stats"])
            #expect(repository.featureViews.first?.ttlSeconds == 3_600)
            #expect(repository.featureServices.map(\.name) == ["ranking"])
            #expect(repository.locations[ObjectPath(.featureView, "driver_stats")]
                == SourceLocation(file: folder + "/b_views.yml", line: 2, column: 5))
            #expect(repository.locations[ObjectPath(.featureService, "ranking", field: "features.0")]
                == SourceLocation(file: folder + "/c_services.yaml", line: 3, column: 33))
        }
    }

    @Test func duplicateAcrossFilesPointsAtTheSecond() throws {
        try withFolder([
            "a.yaml": "project: rides\nentities:\n  - { name: driver, join_key: driver_id, type: int64 }\n",
            "b.yaml": "entities:\n  - name: rider\n    join_key: rider_id\n    type: int64\n"
                + "  - name: driver\n    join_key: id\n    type: string\n",
        ]) { folder in
            let errors = try loadErrors(folder)
            #expect(errors.count == 1)
            #expect(errors.first?.code == .duplicateName)
            #expect(errors.first?.location == SourceLocation(file: folder + "/b.yaml", line: 5, column: 5))
            #expect(errors.first?.message.contains("entity 'driver' is already declared at \(folder)/a.yaml:3:5") == true)
        }
    }

    @Test func filesNamingDifferentProjectsAreRejected() throws {
        try withFolder(["a.yaml": "project: rides\n", "b.yaml": "# ours\nproject: deliveries\n"]) { folder in
            let errors = try loadErrors(folder)
            #expect(errors.map(\.code) == [.projectMismatch])
            #expect(errors.first?.location == SourceLocation(file: folder + "/b.yaml", line: 2, column: 10))
            #expect(errors.first?.message.contains("project 'deliveries' differs from project 'rides'") == true)
        }
    }

    @Test func aFolderWithoutProjectIsRejected() throws {
        try withFolder(["a.yaml": "entities: []\n", "b.yaml": "sources: []\n"]) { folder in
            let errors = try loadErrors(folder)
            #expect(errors.map(\.code) == [.missingKey])
            #expect(errors.first?.location == SourceLocation(file: folder + "/a.yaml", line: 1, column: 1))
            #expect(errors.first?.message.contains("no schema file names the project") == true)
        }
    }

    @Test func syntaxErrorsInOneFileSkipCrossFileChecks() throws {
        try withFolder([
            "a.yaml": "project: rides\nentities: [driver\n",
            "b.yaml": "feature_views:\n  - { name: v, entities: [driver], source: s, ttl: 0, features: [] }\n",
        ]) { folder in
            let errors = try loadErrors(folder)
            #expect(errors.map(\.code) == [.syntax, .badValue])
            #expect(errors.map { $0.location?.file } == [folder + "/a.yaml", folder + "/b.yaml"])
        }
    }

    @Test(arguments: [[String: String](), ["README.md": "# schemas"]])
    func aFolderWithoutSchemaFilesIsRejected(files: [String: String]) throws {
        try withFolder(files) { folder in
            let errors = try loadErrors(folder)
            #expect(errors.map(\.code) == [.noSchemaFiles])
            #expect(errors.first?.location == nil)
            #expect(errors.first?.message.contains("folder '\(folder)' holds no schema files") == true)
            #expect(errors.first?.description.hasPrefix("error: folder") == true)
        }
    }

    @Test func aMissingFolderIsUnreadable() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("strata-missing-\(UUID())").path
        let errors = try loadErrors(folder)
        #expect(errors.map(\.code) == [.unreadable])
        #expect(errors.first?.message == "folder '\(folder)' does not exist; expected a folder of schema files")
    }

    @Test func aFileThatIsNotUTF8IsUnreadable() throws {
        try withFolder(["a.yaml": "project: rides\n"]) { folder in
            try Data([0x70, 0xff, 0xfe]).write(to: URL(fileURLWithPath: folder + "/b.yaml"))
            let errors = try loadErrors(folder)
            #expect(errors.map(\.code) == [.unreadable])
            #expect(errors.first?.location == SourceLocation(file: folder + "/b.yaml", line: 1, column: 1))
        }
    }

    /// The errors `load(directory:)` throws for `folder`.
    private func loadErrors(_ folder: String) throws -> [SchemaError] {
        do {
            _ = try SchemaLoader.load(directory: folder)
        } catch let errors as SchemaErrors {
            return errors.errors
        }
        Issue.record("expected SchemaErrors for \(folder)")
        return []
    }

    /// Runs `body` with a fresh temporary folder holding `files`, removed afterwards.
    private func withFolder(_ files: [String: String], _ body: (String) throws -> Void) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("strata-schema-\(UUID())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for (name, text) in files {
            try text.write(toFile: folder + "/" + name, atomically: true, encoding: .utf8)
        }
        try body(folder)
    }
}

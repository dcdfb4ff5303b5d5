import Foundation
import StrataPostgres

/// Registered model versions in the registry's database: the artifact, its lineage and metrics,
/// and a stage. The registry stores artifacts as bytes; the training engine reads and writes them.
public struct ModelStore {
    let connection: PostgresConnection

    public init(registry: Registry) {
        connection = registry.connection
    }

    /// One registered model version.
    public struct Version: Sendable, Hashable {
        public var project: String
        public var name: String
        public var version: Int
        public var algorithm: String
        /// The training parameters, as LightGBM names them.
        public var parameters: [String: String]
        /// The feature references, in the order the model reads them.
        public var features: [String]
        public var label: String
        /// The saved training set the model was trained on; `register` sets it.
        public var trainingSet: String
        /// Metrics by split (`train`, `validation`) and name (`auc`, `rmse`, …).
        public var metrics: [String: [String: Double]]
        public var stage: String
        public var createdAt: String
        /// The serialised model; empty in listings.
        public var artifact: Data

        public init(
            project: String, name: String, version: Int = 0, algorithm: String, parameters: [String: String],
            features: [String], label: String, trainingSet: String, metrics: [String: [String: Double]],
            stage: String = "none", createdAt: String = "", artifact: Data
        ) {
            self.project = project
            self.name = name
            self.version = version
            self.algorithm = algorithm
            self.parameters = parameters
            self.features = features
            self.label = label
            self.trainingSet = trainingSet
            self.metrics = metrics
            self.stage = stage
            self.createdAt = createdAt
            self.artifact = artifact
        }
    }

    /// The stages a version can be promoted to.
    public static let stages = ["none", "staging", "production", "archived"]

    /// Registers `model` as the next version of its name in one transaction on the registry's connection:
    /// takes the model's lock, allocates the version, lets `lineage` save what the model was trained on
    /// (in the same transaction; it returns the saved set's name, which the version records), then inserts
    /// the version. Concurrent registrations of one name wait for each other and get consecutive versions;
    /// a failure anywhere leaves nothing behind.
    /// - Returns: the version number and the lineage set's name.
    public func register(
        _ model: Version, lineage: (_ transaction: PostgresConnection, _ version: Int) throws -> String
    ) throws -> (version: Int, trainingSet: String) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try connection.transaction { db in
            try lock(project: model.project, name: model.name, db)
            let next = try db.execute(
                "SELECT coalesce(max(version), 0) + 1 FROM strata_models WHERE project = $1 AND name = $2",
                [.text(model.project), .text(model.name)])
            guard let version = next.int(0, 0).map(Int.init) else {
                throw RegistryError(code: .corruptSpec, message: "could not read the versions of model \(model.name)")
            }
            let trainingSet = try lineage(db, version)
            try db.execute(
                """
                INSERT INTO strata_models (project, name, version, algorithm, parameters, features, label, training_set, metrics, artifact)
                VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7, $8, $9::jsonb, decode($10, 'base64'))
                """,
                [
                    .text(model.project), .text(model.name), .int(Int64(version)), .text(model.algorithm),
                    .text(String(decoding: try encoder.encode(model.parameters), as: UTF8.self)),
                    .text(String(decoding: try encoder.encode(model.features), as: UTF8.self)), .text(model.label),
                    .text(trainingSet), .text(String(decoding: try encoder.encode(model.metrics), as: UTF8.self)),
                    .text(model.artifact.base64EncodedString()),
                ])
            return (version, trainingSet)
        }
    }

    /// Takes the transaction-scoped lock that every write to one model's versions holds: registration
    /// (version allocation) and promotion.
    func lock(project: String, name: String, _ db: PostgresConnection) throws {
        try db.execute("SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))", [.text(project), .text(name)])
    }

    /// Every version of every model (of `project` when given), without artifacts.
    public func list(project: String? = nil) throws -> [Version] {
        try versions(where: "($1::text IS NULL OR project = $1)", [project.map { .text($0) } ?? .null], artifact: false)
    }

    /// One version of `name`: `version`, else the one in production, else the latest.
    public func load(name: String, version: Int? = nil, project: String? = nil) throws -> Version {
        let found = try versions(
            where: "name = $1 AND ($2::text IS NULL OR project = $2) AND ($3::int IS NULL OR version = $3)",
            [.text(name), project.map { .text($0) } ?? .null, version.map { .int(Int64($0)) } ?? .null], artifact: true)
        guard !found.isEmpty else {
            let which = version.map { "version \($0) of model \(name)" } ?? "model \(name)"
            throw RegistryError(code: .notFound, message: "no \(which) is registered\(project.map { " in project \($0)" } ?? "")")
        }
        guard Set(found.map(\.project)).count == 1 else {
            throw RegistryError(code: .badInput, message: "several projects have a model named \(name): name one with --project")
        }
        if version != nil { return found[0] }
        return found.last { $0.stage == "production" } ?? found.last!
    }

    /// Moves `version` of `name` to `stage`. Promoting to production archives the previous production
    /// version in the same transaction, under the model's lock, so concurrent promotions leave exactly one
    /// (the last to run); the registry's `strata_models_one_production` index guarantees it. Running
    /// servers are notified when the change commits (`Registry.changeChannel`).
    public func promote(name: String, version: Int, stage: String, project: String? = nil) throws {
        guard Self.stages.contains(stage) else {
            throw RegistryError(code: .badInput, message: "unknown stage '\(stage)' (expected one of: \(Self.stages.joined(separator: ", ")))")
        }
        let model = try load(name: name, version: version, project: project)
        try connection.transaction { db in
            try lock(project: model.project, name: name, db)
            if stage == "production" {
                try db.execute(
                    "UPDATE strata_models SET stage = 'archived' WHERE project = $1 AND name = $2 AND stage = 'production' AND version <> $3",
                    [.text(model.project), .text(name), .int(Int64(version))])
            }
            try db.execute(
                "UPDATE strata_models SET stage = $4 WHERE project = $1 AND name = $2 AND version = $3",
                [.text(model.project), .text(name), .int(Int64(version)), .text(stage)])
            try Registry.notifyChange(project: model.project, in: db)
        }
    }

    func versions(where condition: String, _ parameters: [PostgresValue], artifact: Bool) throws -> [Version] {
        let rows = try connection.execute(
            """
            SELECT project, name, version, algorithm, parameters::text, features::text, label, training_set, metrics::text,
                   stage, created_at::text, \(artifact ? "encode(artifact, 'base64')" : "''")
            FROM strata_models WHERE \(condition) ORDER BY project, name, version
            """, parameters)
        let decoder = JSONDecoder()
        return try (0..<rows.rowCount).map { r in
            Version(
                project: rows.string(r, 0)!, name: rows.string(r, 1)!, version: Int(rows.int(r, 2)!),
                algorithm: rows.string(r, 3)!,
                parameters: try decoder.decode([String: String].self, from: Data(rows.string(r, 4)!.utf8)),
                features: try decoder.decode([String].self, from: Data(rows.string(r, 5)!.utf8)), label: rows.string(r, 6)!,
                trainingSet: rows.string(r, 7)!,
                metrics: try decoder.decode([String: [String: Double]].self, from: Data(rows.string(r, 8)!.utf8)),
                stage: rows.string(r, 9)!, createdAt: rows.string(r, 10)!,
                artifact: Data(base64Encoded: rows.string(r, 11)!.filter { !$0.isNewline }) ?? Data())
        }
    }
}

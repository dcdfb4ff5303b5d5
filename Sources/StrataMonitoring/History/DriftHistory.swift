import Foundation
import StrataPostgres
import StrataRegistry

/// Saved drift checks in the registry's database (`strata_drift_runs`, `strata_drift_columns`):
/// what `strata drift --save` stores and `strata drift --history` lists.
public struct DriftHistory {
    let registry: Registry

    public init(registry: Registry) {
        self.registry = registry
    }

    /// One saved check, without its columns.
    public struct Run: Sendable, Hashable, Codable {
        public var id: Int64
        public var project: String
        public var name: String
        public var service: String?
        public var reference: String
        public var current: String
        public var referenceRows: Int
        public var currentRows: Int
        public var testedColumns: Int
        public var driftedColumns: Int
        public var share: Double
        public var datasetDrifted: Bool
        public var createdAt: String

        enum CodingKeys: String, CodingKey {
            case id, project, name, service, reference, current, share
            case referenceRows = "reference_rows"
            case currentRows = "current_rows"
            case testedColumns = "tested_columns"
            case driftedColumns = "drifted_columns"
            case datasetDrifted = "dataset_drifted"
            case createdAt = "created_at"
        }
    }

    /// One saved column: its test and both windows' profiles.
    public struct SavedColumn: Sendable, Hashable {
        public var name: String
        public var kind: ColumnKind
        public var test: DriftMethod?
        public var statistic: Double?
        public var drifted: Bool
        public var histogram: DisplayHistogram
        public var reference: ColumnProfile
        public var current: ColumnProfile
    }

    /// Longest run name accepted.
    static let maximumNameLength = 200

    /// Stores `report` (whose columns carry profiles) as run `name` of `project`, in one
    /// transaction, and returns its id. Names need not be unique: a nightly job may save under
    /// one name every night, and the history lists each run.
    /// - Throws: `MonitoringError.badInput` for an empty or overlong name, or columns without profiles.
    @discardableResult
    public func save(_ report: DriftReport, name: String, project: String, service: String?) throws -> Int64 {
        guard !name.isEmpty, name.count <= Self.maximumNameLength, !name.contains(where: { $0.isNewline }) else {
            throw MonitoringError(.badInput, "--save '\(name)': a run name is 1 to \(Self.maximumNameLength) characters on one line")
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        func json<T: Encodable>(_ value: T) throws -> PostgresValue { .text(String(decoding: try encoder.encode(value), as: UTF8.self)) }
        let tested = report.columns.filter { $0.status == .tested }.count
        return try registry.connection.transaction { db in
            let inserted = try db.execute(
                """
                INSERT INTO strata_drift_runs (project, name, service, reference, current, reference_rows, current_rows,
                    tested_columns, drifted_columns, share, dataset_drifted, result)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::jsonb) RETURNING id
                """,
                [
                    .text(project), .text(name), service.map { .text($0) } ?? .null, .text(report.reference.source),
                    .text(report.current.source), .int(Int64(report.reference.rows)), .int(Int64(report.current.rows)),
                    .int(Int64(tested)), .int(Int64(report.driftedColumns)), .double(report.share),
                    .bool(report.datasetDrifted), try json(report),
                ])
            guard let id = inserted.int(0, 0) else {
                throw MonitoringError(.notFound, "saving the drift run returned no id")
            }
            for (position, column) in report.columns.enumerated() {
                guard let profiles = column.profiles, let histogram = column.histogram else {
                    throw MonitoringError(.badInput, "column \(column.name) has no profiles to save; run the check with profiles collected")
                }
                try db.execute(
                    """
                    INSERT INTO strata_drift_columns (run_id, position, name, kind, status, test, statistic, threshold, drifted,
                        histogram, reference_profile, current_profile)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11::jsonb, $12::jsonb)
                    """,
                    [
                        .int(id), .int(Int64(position)), .text(column.name), .text(column.type.rawValue), .text(column.status.rawValue),
                        column.test.map { .text($0.rawValue) } ?? .null,
                        column.statistic.flatMap { $0.isFinite ? .double($0) : nil } ?? .null,
                        column.threshold.map { .double($0) } ?? .null, .bool(column.drifted),
                        try json(histogram), try json(profiles.reference), try json(profiles.current),
                    ])
            }
            return id
        }
    }

    /// The saved runs of `project` (every project when nil), of `service` when given, oldest first.
    public func runs(project: String?, service: String?) throws -> [Run] {
        let rows = try registry.connection.execute(
            """
            SELECT id, project, name, service, reference, current, reference_rows, current_rows, tested_columns,
                   drifted_columns, share, dataset_drifted, created_at::text
            FROM strata_drift_runs
            WHERE ($1::text IS NULL OR project = $1) AND ($2::text IS NULL OR service = $2)
            ORDER BY created_at, id
            """, [project.map { .text($0) } ?? .null, service.map { .text($0) } ?? .null])
        return (0..<rows.rowCount).map { r in
            Run(
                id: rows.int(r, 0) ?? 0, project: rows.string(r, 1) ?? "", name: rows.string(r, 2) ?? "", service: rows.string(r, 3),
                reference: rows.string(r, 4) ?? "", current: rows.string(r, 5) ?? "", referenceRows: Int(rows.int(r, 6) ?? 0),
                currentRows: Int(rows.int(r, 7) ?? 0), testedColumns: Int(rows.int(r, 8) ?? 0),
                driftedColumns: Int(rows.int(r, 9) ?? 0), share: rows.double(r, 10) ?? 0, datasetDrifted: rows.bool(r, 11) ?? false,
                createdAt: rows.string(r, 12) ?? "")
        }
    }

    /// The columns of run `id`, in their order, with both windows' profiles.
    /// - Throws: `MonitoringError.notFound` when no run has that id.
    public func columns(run id: Int64) throws -> [SavedColumn] {
        let rows = try registry.connection.execute(
            """
            SELECT name, kind, test, statistic, drifted, histogram::text, reference_profile::text, current_profile::text
            FROM strata_drift_columns WHERE run_id = $1 ORDER BY position
            """, [.int(id)])
        guard rows.rowCount > 0 else { throw MonitoringError(.notFound, "no saved drift run has id \(id)") }
        let decoder = JSONDecoder()
        return try (0..<rows.rowCount).map { r in
            SavedColumn(
                name: rows.string(r, 0) ?? "", kind: ColumnKind(rawValue: rows.string(r, 1) ?? "") ?? .numerical,
                test: rows.string(r, 2).flatMap(DriftMethod.init(rawValue:)), statistic: rows.double(r, 3),
                drifted: rows.bool(r, 4) ?? false,
                histogram: try decoder.decode(DisplayHistogram.self, from: Data((rows.string(r, 5) ?? "").utf8)),
                reference: try decoder.decode(ColumnProfile.self, from: Data((rows.string(r, 6) ?? "").utf8)),
                current: try decoder.decode(ColumnProfile.self, from: Data((rows.string(r, 7) ?? "").utf8)))
        }
    }
}

import Foundation
import Logging
import ServiceLifecycle
import StrataColumnar
import StrataCore
import StrataOnline
import StrataPostgres

/// Writes the served-feature log (`strata_served_features`, docs/served-feature-log.md) from the
/// queue into PostgreSQL by binary COPY, in batches, on a thread and connection of its own.
///
/// When PostgreSQL is down, a batch goes back to the queue and the writer retries every second; the
/// queue then fills and drops new records (counted). On graceful shutdown it stops waiting, writes
/// everything still queued and only then returns.
final class ServedFeatureLogWriter: Service, @unchecked Sendable {
    /// The table the log is written to.
    static let table = "strata_served_features"
    static let columnNames = [
        "request_id", "row_index", "served_at", "as_of", "project", "route", "entities", "features", "statuses",
        "model", "model_version", "prediction",
    ]

    /// How long the writer waits for a batch to fill before writing what came: each COPY is a statement
    /// and a commit in PostgreSQL, so writing each request as it came cost PostgreSQL one of each per
    /// request; a tenth of a second bounds how late a row reaches the table.
    static let linger: TimeInterval = 0.1

    private let log: ServedFeatureLog
    private let postgresURL: String
    private let project: String
    private let metrics: ServerMetrics
    private let logger: Logger
    private let batchRows: Int
    private var connection: PostgresConnection?

    init(log: ServedFeatureLog, postgresURL: String, project: String, metrics: ServerMetrics, logger: Logger, batchRows: Int = 20_000) {
        self.log = log
        self.postgresURL = postgresURL
        self.project = project
        self.metrics = metrics
        self.logger = logger
        self.batchRows = batchRows
    }

    /// Writes until graceful shutdown, then drains the queue.
    func run() async throws {
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let thread = Thread { [self] in
                        write()
                        continuation.resume()
                    }
                    // At most 15 bytes: Linux keeps longer thread names from no tool.
                    thread.name = "strata-log"
                    thread.start()
                }
            } onGracefulShutdown: {
                self.log.close()
            }
        } onCancel: {
            self.log.close()
        }
    }

    private func write() {
        var failures = 0
        while !log.isDrained {
            let batch = log.take(maxRows: batchRows, waitingUpTo: 0.2, lingering: Self.linger)
            guard !batch.isEmpty else { continue }
            do {
                try copy(batch)
                failures = 0
            } catch {
                connection = nil
                failures += 1
                // After shutdown began, one retry only: the process is about to exit.
                if log.isClosed && failures > 1 {
                    metrics.logDropped(rows: batch.reduce(0) { $0 + $1.rowCount })
                    logger.error("served-feature log: \(error); dropped \(batch.count) requests at shutdown")
                    continue
                }
                logger.warning("served-feature log: \(error); retrying in 1 s")
                log.putBack(batch)
                Thread.sleep(forTimeInterval: 1)
            }
        }
        connection = nil
    }

    /// Writes `batch` with one binary COPY.
    private func copy(_ batch: [ServedRecord]) throws {
        let db = try connection ?? PostgresConnection(url: postgresURL, connectTimeoutSeconds: 2)
        connection = db
        let columns = Self.columns(batch, project: project)
        let rows = try db.copyIn(table: Self.table, columnNames: Self.columnNames, columns: columns)
        metrics.logWritten(rows: rows)
    }

    /// The table's columns for `batch`, one row per entity row of each record.
    static func columns(_ batch: [ServedRecord], project: String) -> [Column] {
        let rowCount = batch.reduce(0) { $0 + $1.rowCount }
        var requestIDs = ColumnBuilder(type: .string, capacity: rowCount)
        var rowIndexes = ColumnBuilder(type: .int32, capacity: rowCount)
        var servedAt = ColumnBuilder(type: .timestamp, capacity: rowCount)
        var asOf = ColumnBuilder(type: .timestamp, capacity: rowCount)
        var projects = ColumnBuilder(type: .string, capacity: rowCount)
        var routes = ColumnBuilder(type: .string, capacity: rowCount)
        var entities = ColumnBuilder(type: .string, capacity: rowCount)
        var features = ColumnBuilder(type: .string, capacity: rowCount)
        var statuses = ColumnBuilder(type: .string, capacity: rowCount)
        var models = ColumnBuilder(type: .string, capacity: rowCount)
        var versions = ColumnBuilder(type: .int32, capacity: rowCount)
        var predictions = ColumnBuilder(type: .float64, capacity: rowCount)
        var json: [UInt8] = []
        // Most requests ask for the same features: their names are encoded once per run of equal lists.
        var lastReferences: [FeatureReference] = []
        var lastJoinKeys: [String] = []
        var names: [[UInt8]] = []
        var keys: [[UInt8]] = []
        for record in batch {
            let served = record.features
            if served.references != lastReferences {
                lastReferences = served.references
                names = served.references.map { reference in
                    var name: [UInt8] = []
                    JSONText.appendString(reference.description, to: &name)
                    return name
                }
            }
            if served.joinKeys != lastJoinKeys {
                lastJoinKeys = served.joinKeys
                keys = served.joinKeys.map { key in
                    var name: [UInt8] = []
                    JSONText.appendString(key, to: &name)
                    return name
                }
            }
            for row in 0..<served.rowCount {
                requestIDs.appendString(record.requestID)
                rowIndexes.append(Int32(clamping: row))
                servedAt.appendTimestamp(record.servedAt)
                asOf.appendTimestamp(record.asOf)
                projects.appendString(project)
                routes.appendString(record.route)
                appendJSON(to: &entities, &json) { out in
                    for (k, column) in served.entities.enumerated() {
                        out.append(k == 0 ? UInt8(ascii: "{") : UInt8(ascii: ","))
                        out += keys[k]
                        out.append(UInt8(ascii: ":"))
                        JSONText.appendValue(column, row, to: &out)
                    }
                }
                appendJSON(to: &features, &json) { out in
                    for (f, column) in served.values.enumerated() {
                        out.append(f == 0 ? UInt8(ascii: "{") : UInt8(ascii: ","))
                        out += names[f]
                        out.append(UInt8(ascii: ":"))
                        JSONText.appendValue(column, row, to: &out)
                    }
                }
                appendJSON(to: &statuses, &json) { out in
                    for f in served.values.indices {
                        out.append(f == 0 ? UInt8(ascii: "{") : UInt8(ascii: ","))
                        out += names[f]
                        out.append(UInt8(ascii: ":"))
                        out += Self.quotedStatuses[Int(served.status(feature: f, row: row).rawValue)]
                    }
                }
                if let model = record.model {
                    models.appendString(model.name)
                    versions.append(Int32(clamping: model.version))
                } else {
                    models.appendNull()
                    versions.appendNull()
                }
                if let predictions_ = record.predictions, row < predictions_.count {
                    predictions.append(predictions_[row])
                } else {
                    predictions.appendNull()
                }
            }
        }
        return [
            requestIDs.finish(), rowIndexes.finish(), servedAt.finish(), asOf.finish(), projects.finish(),
            routes.finish(), entities.finish(), features.finish(), statuses.finish(), models.finish(),
            versions.finish(), predictions.finish(),
        ]
    }

    /// Each status's name as a JSON string, indexed by raw value.
    private static let quotedStatuses: [[UInt8]] = FeatureStatus.allCases.map { status in
        var quoted: [UInt8] = []
        JSONText.appendString(status.description, to: &quoted)
        return quoted
    }

    /// Appends one json value (its binary COPY form is the text itself): the object `body` writes the
    /// members of, `{}` when it writes none.
    private static func appendJSON(to builder: inout ColumnBuilder, _ scratch: inout [UInt8], _ body: (inout [UInt8]) -> Void) {
        scratch.removeAll(keepingCapacity: true)
        body(&scratch)
        if scratch.isEmpty { scratch.append(UInt8(ascii: "{")) }
        scratch.append(UInt8(ascii: "}"))
        scratch.withUnsafeBytes { builder.appendString(bytes: $0) }
    }
}

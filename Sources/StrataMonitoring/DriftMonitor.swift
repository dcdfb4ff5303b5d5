import Dispatch
import Foundation
import StrataColumnar
import StrataCore
import StrataOffline
import StrataPostgres
import StrataRegistry

/// What a drift check is asked to do.
public struct DriftRequest: Sendable {
    /// The features to test; nil tests every column the two inputs share (queries and CSV
    /// files), or a saved set's features.
    public var features: TrainingSetRequest.Features?
    public var reference: DriftInput
    public var current: DriftInput
    /// The project (nil: the only registered one).
    public var project: String?
    /// A method for every column, over the schema's per-feature settings.
    public var method: DriftMethod?
    /// A threshold for every column, over the schema's per-feature settings.
    public var threshold: Double?
    /// The share of drifted columns at which the dataset drifted.
    public var driftShare: Double
    /// Save the run under this name, with its profiles.
    public var save: String?

    public init(
        features: TrainingSetRequest.Features?, reference: DriftInput, current: DriftInput, project: String? = nil,
        method: DriftMethod? = nil, threshold: Double? = nil, driftShare: Double = 0.5, save: String? = nil
    ) {
        self.features = features
        self.reference = reference
        self.current = current
        self.project = project
        self.method = method
        self.threshold = threshold
        self.driftShare = driftShare
        self.save = save
    }

    /// Whether the check needs PostgreSQL: any input but a CSV file, named features, or saving.
    public var needsPostgres: Bool {
        reference.needsPostgres || current.needsPostgres || features != nil || save != nil
    }
}

/// A finished drift check.
public struct DriftRun: Sendable {
    public var report: DriftReport
    /// The id of the saved run, when it was saved.
    public var savedID: Int64?
    /// Seconds spent reading each window (they are read at once when both need PostgreSQL).
    public var readSeconds: (reference: Double, current: Double)
    /// Seconds spent testing.
    public var testSeconds: Double
}

/// Runs drift checks: resolves the features, reads both windows (over two connections at once
/// when both come from PostgreSQL), tests every column as Evidently's `DataDriftPreset` does and
/// saves the run when asked. The CLI and the server call this one function.
public struct DriftMonitor {
    /// The registry, for features, saved sets, windows and history; nil when only CSV files are read.
    public let registry: Registry?
    /// Opens another connection, so that the current window is read while the reference is.
    public let openConnection: (() throws -> PostgresConnection)?

    public init(registry: Registry?, openConnection: (() throws -> PostgresConnection)?) {
        self.registry = registry
        self.openConnection = openConnection
    }

    /// Checks `request`.
    /// - Throws: `MonitoringError` for bad input (exit 2), `PostgresError` for the database,
    ///   `OfflineError`/`RegistryError` for unknown features or projects.
    public func run(_ request: DriftRequest) throws -> DriftRun {
        if request.needsPostgres && registry == nil {
            throw MonitoringError(.badInput, "this check reads PostgreSQL (set STRATA_POSTGRES_URL or pass --postgres)")
        }
        let plan = try self.plan(request)
        let (referenceData, currentData, readSeconds) = try readBoth(request, plan: plan)
        let columns = try plan.features.map { feature -> DriftColumn in
            guard let reference = referenceData.column(feature.referenceColumn), let current = currentData.column(feature.currentColumn) else {
                throw MonitoringError(.missingColumn, "column \(feature.name) was not read")
            }
            return DriftColumn(
                name: feature.name, reference: reference, current: current, method: request.method ?? feature.method,
                threshold: request.threshold ?? feature.threshold)
        }
        let testStart = Date()
        let report = try DriftAnalysis.run(
            columns, reference: .init(source: request.reference.description, rows: referenceData.rows),
            current: .init(source: request.current.description, rows: currentData.rows),
            options: .init(driftShare: request.driftShare, collectProfiles: request.save != nil))
        let testSeconds = Date().timeIntervalSince(testStart)
        var savedID: Int64?
        if let name = request.save, let registry {
            savedID = try DriftHistory(registry: registry).save(report, name: name, project: plan.project, service: plan.service)
        }
        return DriftRun(report: report, savedID: savedID, readSeconds: readSeconds, testSeconds: testSeconds)
    }

    /// One column to test: its reported name, where it is found in each window, and the
    /// schema's drift settings for it.
    struct PlannedFeature {
        var name: String
        var referenceColumn: String
        var currentColumn: String
        var type: ValueType?
        var method: DriftMethod?
        var threshold: Double?
    }

    struct Plan {
        var project: String
        var service: String?
        var selection: FeatureSelection?
        var features: [PlannedFeature]
    }

    /// Which columns to read from each window and how to test them.
    func plan(_ request: DriftRequest) throws -> Plan {
        let reader = DriftInputReader(registry: registry, project: request.project)
        var requested = request.features
        if requested == nil {
            for input in [request.reference, request.current] {
                if case .saved(let name) = input, requested == nil { requested = .references(try reader.savedFeatures(name)) }
            }
        }
        guard let requested else {
            for input in [request.reference, request.current] where !input.hasOwnColumns {
                throw MonitoringError(.badInput, "\(input) needs the features to test: name them with --service or --features")
            }
            let referenceNames = try reader.columnNames(request.reference)
            let currentNames = Set(try reader.columnNames(request.current))
            let shared = referenceNames.filter { currentNames.contains($0) }
            guard !shared.isEmpty else {
                throw MonitoringError(
                    .missingColumn,
                    "the reference and current windows share no column (reference: \(referenceNames.joined(separator: ", ")); current: \(currentNames.sorted().joined(separator: ", ")))")
            }
            let project = request.project ?? registry.flatMap { try? $0.resolveProject(nil) } ?? ""
            return Plan(
                project: project, service: nil, selection: nil,
                features: shared.map { PlannedFeature(name: $0, referenceColumn: $0, currentColumn: $0) })
        }
        guard let registry else { throw MonitoringError(.badInput, "naming features needs the registry in PostgreSQL") }
        let project = try registry.resolveProject(request.project)
        let repository = try registry.repository(project: project)
        let selection: FeatureSelection
        let service: String?
        switch requested {
        case .service(let name):
            selection = try FeatureSelection.resolve(service: name, in: repository)
            service = name
        case .references(let references):
            selection = try FeatureSelection.resolve(references, in: repository)
            service = nil
        }
        let referenceNames = try reader.columnNames(request.reference)
        let currentNames = try reader.columnNames(request.current)
        var features: [PlannedFeature] = []
        for group in selection.groups {
            for feature in group.features {
                let reference = FeatureReference(view: group.view.name, feature: feature.name)
                let settings = feature.drift
                let method = try settings?.method.flatMap { name -> DriftMethod? in
                    if name == "auto" { return nil }
                    guard let method = DriftMethod(rawValue: name) else {
                        throw MonitoringError(.badMethod, "feature \(reference) names drift method \(name), which Strata does not know")
                    }
                    return method
                }
                features.append(
                    PlannedFeature(
                        name: reference.description,
                        referenceColumn: try Self.column(for: reference, in: request.reference, names: referenceNames, role: "reference"),
                        currentColumn: try Self.column(for: reference, in: request.current, names: currentNames, role: "current"),
                        type: feature.type, method: method, threshold: settings?.threshold))
            }
        }
        let order = Dictionary(selection.references.enumerated().map { ($1.description, $0) }, uniquingKeysWith: { a, _ in a })
        features.sort { (order[$0.name] ?? 0) < (order[$1.name] ?? 0) }
        return Plan(project: project, service: service, selection: selection, features: features)
    }

    /// The column of `input` that holds `reference`: the reference itself for time windows, else
    /// `view__feature`, else the bare feature name.
    static func column(for reference: FeatureReference, in input: DriftInput, names: [String], role: String) throws -> String {
        if !input.hasOwnColumns { return reference.description }
        for candidate in [reference.columnName, reference.feature] where names.contains(candidate) { return candidate }
        throw MonitoringError(
            .missingColumn,
            "the \(role) window (\(input)) has no column \(reference.columnName) or \(reference.feature) for feature \(reference) (its columns: \(names.joined(separator: ", ")))")
    }

    /// Reads both windows, at once over two connections when both come from PostgreSQL.
    private func readBoth(_ request: DriftRequest, plan: Plan) throws -> (WindowData, WindowData, (Double, Double)) {
        let bothFromPostgres = request.reference.needsPostgres && request.current.needsPostgres
        let second: Registry?
        if bothFromPostgres, let openConnection {
            second = try Registry(connection: try openConnection())
        } else {
            second = registry
        }
        let readers = [
            DriftInputReader(registry: registry, project: request.project),
            DriftInputReader(registry: second, project: request.project),
        ]
        let inputs = [request.reference, request.current]
        var results = [Result<(WindowData, Double), Error>](repeating: .failure(MonitoringError(.badInput, "not read")), count: 2)
        let read: (Int) -> Result<(WindowData, Double), Error> = { side in
            Result {
                let start = Date()
                let data = try self.read(inputs[side], side: side, plan: plan, reader: readers[side])
                return (data, Date().timeIntervalSince(start))
            }
        }
        if second !== registry {
            results.withUnsafeMutableBufferPointer { slots in
                let shared = UncheckedSendable((slots, read))
                DispatchQueue.concurrentPerform(iterations: 2) { side in shared.value.0[side] = shared.value.1(side) }
            }
        } else {
            results = [read(0), read(1)]
        }
        let (referenceData, referenceSeconds) = try results[0].get()
        let (currentData, currentSeconds) = try results[1].get()
        return (referenceData, currentData, (referenceSeconds, currentSeconds))
    }

    private func read(_ input: DriftInput, side: Int, plan: Plan, reader: DriftInputReader) throws -> WindowData {
        switch input {
        case .window(let from, let to):
            guard let selection = plan.selection else {
                throw MonitoringError(.badInput, "\(input) needs the features to test: name them with --service or --features")
            }
            return try reader.readWindow(from: from, to: to, selection: selection, input: input)
        case .served(let from, let to):
            guard let selection = plan.selection else {
                throw MonitoringError(.badInput, "\(input) needs the features to test: name them with --service or --features")
            }
            return try reader.readServed(from: from, to: to, selection: selection, project: plan.project, input: input)
        default:
            let columns = plan.features.map { side == 0 ? $0.referenceColumn : $0.currentColumn }
            var declared: [String: ValueType] = [:]
            for (feature, column) in zip(plan.features, columns) { declared[column] = feature.type }
            return try reader.read(input, columns: columns, declared: declared)
        }
    }
}

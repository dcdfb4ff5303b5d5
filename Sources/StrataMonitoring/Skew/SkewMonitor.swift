import StrataColumnar
import StrataCore
import StrataOffline
import StrataPostgres
import StrataRegistry

/// Finds training/serving skew: replays the offline point-in-time join (the training-set builder's,
/// `PointInTimeJoin`) with the served-feature log's (entity, `as_of`) pairs as the spine, and
/// compares each served value with the offline value at that instant. The CLI and the server call
/// this one function.
public struct SkewMonitor {
    /// The registry: features, the log and the sources are all read over its connection.
    public let registry: Registry

    public init(registry: Registry) {
        self.registry = registry
    }

    /// Checks `request`.
    /// - Throws: `MonitoringError` for bad input (exit 2), `OfflineError`/`RegistryError` for unknown
    ///   features or projects, `PostgresError` for the database.
    public func run(_ request: SkewRequest, progress: PointInTimeJoin.Progress = { _, _ in }) throws -> SkewReport {
        guard request.examples >= 0 else { throw MonitoringError(.badInput, "examples \(request.examples) must be 0 or more") }
        guard request.maxShare >= 0 && request.maxShare < 1 else {
            throw MonitoringError(.badInput, "max share \(request.maxShare) must be in [0, 1)")
        }
        let project = try registry.resolveProject(request.project)
        let repository = try registry.repository(project: project)
        let selection: FeatureSelection
        let service: String?
        switch request.features {
        case .service(let name):
            selection = try FeatureSelection.resolve(service: name, in: repository)
            service = name
        case .references(let references):
            selection = try FeatureSelection.resolve(references, in: repository)
            service = nil
        }
        var features = [ServedFeatureLogReader.Feature?](repeating: nil, count: selection.references.count)
        var viewKeys = [[String]](repeating: [], count: selection.references.count)
        var tolerances = [Double](repeating: 0, count: selection.references.count)
        for group in selection.groups {
            for (feature, position) in zip(group.features, group.outputPositions) {
                features[position] = (selection.references[position], feature.type)
                viewKeys[position] = group.joinKeys
                if group.view.aggregations?.first(where: { $0.name == feature.name })?.function.isArithmetic == true {
                    tolerances[position] = Self.windowedTolerance
                }
            }
        }
        let served = try ServedFeatureLogReader(connection: registry.connection).read(
            project: project, from: request.from, to: request.to, features: features.compactMap { $0 },
            replayKeys: selection.joinKeys.map { ($0.name, $0.type) })
        let replayed = Self.rowsAskingForAny(served)
        guard let origin = replayed.origin else { throw MonitoringError(.missingColumn, "the served-feature log was read without its entities") }
        let spine = Frame(
            names: origin.keyNames + [SpineLoader.timestampColumn], columns: origin.keys + [origin.asOf], rowCount: replayed.count)
        let offline = try PointInTimeJoin(connection: registry.connection).join(spine: spine, selection: selection, progress: progress)
        var results: [FeatureSkew] = []
        for (index, reference) in replayed.references.enumerated() {
            guard let offlineValues = offline[reference.columnName], let type = features[index]?.type else {
                throw MonitoringError(.missingColumn, "the offline join returned no column \(reference.columnName)")
            }
            let position = selection.references.firstIndex(of: reference) ?? index
            let outcomes = try SkewComparison.compare(
                served: replayed.values[index], statuses: replayed.statuses[index], offline: offlineValues,
                relativeTolerance: tolerances[position])
            results.append(
                Self.summarize(
                    reference: reference, type: type, outcomes: outcomes, served: replayed.values[index],
                    statuses: replayed.statuses[index], offline: offlineValues, origin: origin, keys: viewKeys[index],
                    examples: request.examples, maxShare: request.maxShare))
        }
        return SkewReport(
            served: .init(source: request.source, rows: replayed.count), project: project, service: service,
            maxShare: request.maxShare, features: results)
    }

    /// How far a windowed sum, mean or deviation served may be from offline's, relative to its
    /// magnitude: the two add the same values in another order (docs/aggregations.md, "Floating point").
    static let windowedTolerance = 1e-9

    /// The rows whose request asked for at least one of the features: only they are replayed.
    static func rowsAskingForAny(_ rows: ServedRows) -> ServedRows {
        var keep = [Bool](repeating: false, count: rows.count)
        for statuses in rows.statuses {
            for row in 0..<rows.count where statuses[row] != .absent { keep[row] = true }
        }
        guard keep.contains(false) else { return rows }
        let indices = keep.indices.filter { keep[$0] }
        var kept = rows
        kept.count = indices.count
        kept.values = rows.values.map { $0.take(indices: indices) }
        kept.statuses = rows.statuses.map { statuses in indices.map { statuses[$0] } }
        kept.origin = rows.origin.map { origin in
            ServedRows.Origin(
                requestIDs: origin.requestIDs.take(indices: indices), rowIndexes: origin.rowIndexes.take(indices: indices),
                asOf: origin.asOf.take(indices: indices), keyNames: origin.keyNames, keys: origin.keys.map { $0.take(indices: indices) })
        }
        return kept
    }

    /// Counts the outcomes of one feature and picks its examples: the first `examples`
    /// disagreeing rows by `as_of`, then request id and row index, so that a rerun shows the same.
    static func summarize(
        reference: FeatureReference, type: ValueType, outcomes: [SkewComparison.Outcome], served: Column, statuses: [ServedStatus],
        offline: Column, origin: ServedRows.Origin, keys: [String], examples: Int, maxShare: Double
    ) -> FeatureSkew {
        var counts = [Int](repeating: 0, count: 5)
        var statusCounts = [Int](repeating: 0, count: ServedStatus.allCases.count)
        let asOf = origin.asOf.timestampValues
        var chosen: [Int] = []
        func earlier(_ a: Int, _ b: Int) -> Bool {
            if asOf[a] != asOf[b] { return asOf[a] < asOf[b] }
            let idA = origin.requestIDs.stringBytes(at: a) ?? []
            let idB = origin.requestIDs.stringBytes(at: b) ?? []
            if !idA.elementsEqual(idB) { return idA.lexicographicallyPrecedes(idB) }
            return (origin.rowIndexes.int32(at: a) ?? 0) < (origin.rowIndexes.int32(at: b) ?? 0)
        }
        for (row, outcome) in outcomes.enumerated() where outcome != .notServed {
            counts[Int(outcome.rawValue)] += 1
            statusCounts[Int(statuses[row].rawValue)] += 1
            guard outcome != .equal, examples > 0 else { continue }
            // A short sorted list: examples are few, disagreeing rows may be millions.
            if chosen.count == examples {
                guard let last = chosen.last, earlier(row, last) else { continue }
                chosen.removeLast()
            }
            let at = chosen.firstIndex { earlier(row, $0) } ?? chosen.count
            chosen.insert(row, at: at)
        }
        let shown = chosen.map { row in
            let kind: FeatureSkew.Kind =
                switch outcomes[row] {
                case .differ: .differ
                case .missingServed: .missingServed
                default: .missingOffline
                }
            var entities: [String: SkewValue] = [:]
            for key in keys {
                if let index = origin.keyNames.firstIndex(of: key) { entities[key] = SkewValue(origin.keys[index], row) }
            }
            return FeatureSkew.Example(
                kind: kind, requestID: origin.requestIDs.string(at: row) ?? "", rowIndex: Int(origin.rowIndexes.int32(at: row) ?? 0),
                asOf: UTCTimestamp.format(asOf[row]), entities: entities, served: SkewValue(served, row),
                servedStatus: statuses[row].description, offline: SkewValue(offline, row))
        }
        var byName: [String: Int] = [:]
        for status in ServedStatus.allCases where status != .absent { byName[status.description] = statusCounts[Int(status.rawValue)] }
        func count(_ outcome: SkewComparison.Outcome) -> Int { counts[Int(outcome.rawValue)] }
        let rows = count(.equal) + count(.differ) + count(.missingServed) + count(.missingOffline)
        let disagreeing = rows - count(.equal)
        return FeatureSkew(
            name: reference.description, type: type, rows: rows, equal: count(.equal), differ: count(.differ),
            missingServed: count(.missingServed), missingOffline: count(.missingOffline), statuses: byName, examples: shown,
            skewed: rows > 0 && Double(disagreeing) > maxShare * Double(rows))
    }
}

import StrataColumnar
import StrataCore
import StrataPostgres
import StrataRegistry

/// Point-in-time-correct joins (DESIGN.md "Point-in-time join"): for each spine row and view, the
/// view's latest row at or before the spine time (within the ttl), ties broken by the created time,
/// then by the values (`TieOrder`), taken whole. Each view is joined by extraction or pushed into PostgreSQL, per `JoinStrategy`.
public struct PointInTimeJoin {
    /// Progress of a join: the view being read and the rows read so far.
    public typealias Progress = (_ view: String, _ rows: Int) -> Void

    let connection: PostgresConnection
    let strategy: JoinStrategy
    let parallelism: Parallelism
    /// The smallest page range a parallel read cuts as a piece of its own; tests lower it to split small tables.
    var minimumPieceBlocks = ExtractionPlanner.minimumPieceBlocks

    /// A join reading the sources through `connection`; `parallelism` says how many connections (the others
    /// opened like it) read each view an extraction strategy joins.
    public init(connection: PostgresConnection, strategy: JoinStrategy = .automatic, parallelism: Parallelism = .automatic) {
        self.connection = connection
        self.strategy = strategy
        self.parallelism = parallelism
    }

    /// The spine's columns followed by one column per requested feature (`view__feature`), one row
    /// per spine row in spine order.
    public func join(spine: Frame, selection: FeatureSelection, progress: Progress = { _, _ in }) throws -> Frame {
        try joinReportingStrategies(spine: spine, selection: selection, progress: progress).frame
    }

    /// As `join`, also returning the strategy used for each view.
    public func joinReportingStrategies(
        spine: Frame, selection: FeatureSelection, progress: Progress = { _, _ in }
    ) throws -> (frame: Frame, strategies: [String: String]) {
        guard let times = spine[SpineLoader.timestampColumn], times.type == .timestamp else {
            throw OfflineError(.badSpine, "the spine has no \(SpineLoader.timestampColumn) timestamp column")
        }
        for key in selection.joinKeys where spine[key.name] == nil {
            throw OfflineError(.badSpine, "the spine has no join-key column \(key.name), which the requested features need")
        }
        var output = [Column?](repeating: nil, count: selection.references.count)
        var strategies: [String: String] = [:]
        let snapshot = SnapshotConnections(primary: connection)
        defer { snapshot.close() }
        for group in selection.groups where group.view.isAggregation {
            strategies[group.view.name] = "tiled-window"
            let columns = spine.rowCount == 0 ? group.features.map { Column.empty(ColumnType($0.type)) }
                : try AggregationJoin(connection: connection).join(group, spine: spine, times: times, progress: progress)
            for (column, position) in zip(columns, group.outputPositions) { output[position] = column }
        }
        for group in selection.groups where !group.view.isAggregation {
            let chosen = try choose(for: group, spineRows: spine.rowCount)
            strategies[group.view.name] = chosen.rawValue
            let columns: [Column]
            if spine.rowCount == 0 {
                columns = group.features.map { Column.empty(ColumnType($0.type)) }
            } else if chosen == .lateral {
                columns = try LateralJoin(connection: connection).join(group, spine: spine, times: times, progress: progress)
            } else {
                columns = try ExtractionJoin(
                    connection: connection, sortMerge: chosen == .sortMerge, parallelism: parallelism, snapshot: snapshot,
                    minimumPieceBlocks: minimumPieceBlocks
                ).join(group, spine: spine, times: times, progress: progress)
            }
            for (column, position) in zip(columns, group.outputPositions) { output[position] = column }
        }
        var frame = spine
        for (name, column) in zip(selection.columnNames, output) {
            guard frame.index(of: name) == nil else {
                throw OfflineError(.badSpine, "the spine already has a column named \(name), the output name of a requested feature")
            }
            frame = frame.adding(name, column!)
        }
        return (frame, strategies)
    }

    /// The strategy for one view: as asked, or chosen by the source's index (on every partition of a
    /// partitioned source) and size (summed over the partitions).
    func choose(for group: FeatureSelection.ViewGroup, spineRows: Int) throws -> JoinStrategy {
        guard strategy == .automatic else { return strategy }
        let table = try SQLIdentifier.quoteQualified(group.source.table)
        let columns = group.joinKeys + [group.source.timestampColumn]
        guard let relation = try SourceRelation.inspect(table, connection: connection), !relation.leaves.isEmpty,
              try relation.leavesLackingIndex(leadingWith: columns, connection: connection).isEmpty
        else { return .extraction }
        return Double(spineRows) * 50 < relation.estimatedRows ? .lateral : .extraction
    }
}

extension ColumnType {
    /// The column type that holds values of a feature type.
    public init(_ type: ValueType) {
        switch type {
        case .float64: self = .float64
        case .float32: self = .float32
        case .int64: self = .int64
        case .int32: self = .int32
        case .bool: self = .bool
        case .string: self = .string
        case .timestamp: self = .timestamp
        }
    }
}

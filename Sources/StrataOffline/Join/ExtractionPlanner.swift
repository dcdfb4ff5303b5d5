import Foundation
import StrataPostgres
import StrataRegistry

/// How one view's read is split over connections: which relations hold its rows in the window (the
/// leaf partitions PostgreSQL's pruning keeps, or the table), how many connections are worth it, and the
/// disjoint pieces (whole leaves, or ranges of heap pages read by TID range scans) that the connections
/// take in turn.
///
/// Pages, not event-time ranges, split a table: a time range over a table without an index on the time
/// would make every connection scan the whole table; a page range is read by a TID range scan that
/// touches only its pages. A partitioned table is split by its partitions first (PostgreSQL prunes the
/// rest), and the larger partitions by pages.
enum ExtractionPlanner {
    /// The relations to read, with their sizes.
    struct Scan {
        var leaves: [SourceRelation.Leaf]
        /// Heap pages over all of them.
        var blocks: Int { leaves.reduce(0) { $0 + $1.blocks } }
    }

    /// The server settings the automatic choice reads.
    struct Settings: Sendable, Hashable {
        /// `max_parallel_workers`: the parallel processes the server allows at once.
        var maxParallelWorkers: Int
        /// `min_parallel_table_scan_size`, in pages: the smallest table PostgreSQL scans in parallel.
        var minParallelScanBlocks: Int
        /// Whether the server reads a `ctid` range by a TID range scan (PostgreSQL 14 and later); before,
        /// each page range would scan the whole table, so only whole partitions are pieces.
        var tidRangeScans = true

        static func read(_ connection: PostgresConnection) throws -> Settings {
            let rows = try connection.execute(
                """
                SELECT current_setting('max_parallel_workers')::int8,
                       pg_size_bytes(current_setting('min_parallel_table_scan_size')) / current_setting('block_size')::int8,
                       current_setting('server_version_num')::int8 >= 140000
                """)
            return Settings(
                maxParallelWorkers: Int(rows.int(0, 0) ?? 0), minParallelScanBlocks: Int(rows.int(0, 1) ?? 1024),
                tidRangeScans: rows.bool(0, 2) ?? false)
        }
    }

    /// Pieces per connection: more pieces than connections, so that one slow piece does not leave the
    /// other connections idle at the end.
    static let piecesPerConnection = 4
    /// The smallest page range worth a piece of its own (8 MB of 8 kB pages); tests cut smaller ones.
    static let minimumPieceBlocks = 1024

    /// The connections PostgreSQL would give a parallel sequential scan of `blocks` pages
    /// (`compute_parallel_worker`): none below `min_parallel_table_scan_size`, then one worker, one more
    /// each time the size triples, at most `max_parallel_workers`; plus the leader, so at least 1.
    static func automaticConnections(blocks: Int, settings: Settings) -> Int {
        let threshold = max(settings.minParallelScanBlocks, 1)
        guard blocks >= threshold, settings.maxParallelWorkers > 0 else { return 1 }
        var workers = 1
        var limit = threshold
        while limit <= Int(Int32.max) / 3, blocks >= limit * 3 {
            workers += 1
            limit *= 3
        }
        return 1 + min(workers, settings.maxParallelWorkers, Parallelism.maximum - 1)
    }

    /// The relations a read of `table` (quoted) `WHERE conditions` scans, or nil when the read cannot be
    /// split and must run as one statement: a view or foreign table, row-level security (a leaf read
    /// directly would skip the parent's policies), a leaf the user may not read directly, inheritance
    /// children or a plan that scans something else (e.g. Citus's distributed scan).
    static func scan(table: String, conditions: String, connection: PostgresConnection) throws -> Scan? {
        guard let relation = try SourceRelation.inspect(table, connection: connection),
              [.table, .partitionedTable, .materializedView].contains(relation.kind), !relation.rowSecurity,
              relation.leaves.allSatisfy({ $0.readable && !$0.rowSecurity })
        else { return nil }
        let plan = try connection.execute("EXPLAIN (FORMAT JSON, VERBOSE) SELECT 1 FROM \(table) WHERE \(conditions)")
        guard let text = plan.string(0, 0), let scanned = scannedRelations(inPlan: text) else { return nil }
        var byName: [String: SourceRelation.Leaf] = [:]
        for leaf in relation.leaves { byName[leaf.schema + "\u{0}" + leaf.name] = leaf }
        var leaves: [SourceRelation.Leaf] = []
        for name in scanned {
            guard let leaf = byName[name.schema + "\u{0}" + name.relation] else { return nil }
            if !leaves.contains(leaf) { leaves.append(leaf) }
        }
        return leaves.isEmpty ? nil : Scan(leaves: leaves)
    }

    /// The (schema, relation) of every scan in an `EXPLAIN (FORMAT JSON, VERBOSE)` plan, in plan order;
    /// nil when the plan is not understood or scans something that names no relation.
    static func scannedRelations(inPlan json: String) -> [(schema: String, relation: String)]? {
        guard let data = json.data(using: .utf8),
              let top = try? JSONSerialization.jsonObject(with: data) as? [[String: Any]],
              let root = top.first?["Plan"] as? [String: Any]
        else { return nil }
        var found: [(schema: String, relation: String)] = []
        var pending = [root]
        while let node = pending.popLast() {
            let type = node["Node Type"] as? String ?? ""
            if let relation = node["Relation Name"] as? String {
                guard let schema = node["Schema"] as? String else { return nil }
                found.append((schema, relation))
            } else if type.hasSuffix("Scan") && type != "Bitmap Index Scan" {
                return nil
            }
            for child in (node["Plans"] as? [[String: Any]] ?? []).reversed() { pending.append(child) }
        }
        return found
    }

    /// The pieces of `scan` for `connections` connections, larger first: each leaf read with `ONLY`, a
    /// heap leaf larger than a piece's share cut into page ranges (the last one open-ended) when
    /// `pageRanges` (the server has TID range scans).
    static func pieces(_ scan: Scan, connections: Int, minimumBlocks: Int = minimumPieceBlocks, pageRanges: Bool = true) -> [ScanPiece] {
        let share = max(minimumBlocks, 1, scan.blocks / max(1, connections * piecesPerConnection))
        var pieces: [ScanPiece] = []
        for leaf in scan.leaves {
            let relation = "ONLY \(leaf.quotedName)"
            guard pageRanges, leaf.kind.isHeap, leaf.blocks > share else {
                pieces.append(ScanPiece(relation: relation, pages: nil, weight: max(leaf.blocks, 1)))
                continue
            }
            var first = 0
            while first < leaf.blocks {
                let end = first + share
                pieces.append(
                    ScanPiece(
                        relation: relation, pages: .init(first: first, end: end < leaf.blocks ? end : nil),
                        weight: min(share, leaf.blocks - first)))
                first = end
            }
        }
        return pieces.enumerated().sorted { a, b in
            a.element.weight != b.element.weight ? a.element.weight > b.element.weight : a.offset < b.offset
        }.map(\.element)
    }
}

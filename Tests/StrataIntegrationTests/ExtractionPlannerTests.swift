import Foundation
@testable import StrataOffline
@testable import StrataRegistry
import Testing

/// How a read is cut and how many connections the automatic choice takes, without a server.
@Suite("Extraction planner: pieces and the automatic connection count")
struct ExtractionPlannerTests {
    static func leaf(_ name: String, blocks: Int, kind: SourceRelation.Kind = .table) -> SourceRelation.Leaf {
        SourceRelation.Leaf(
            oid: Int64(name.hashValue & 0xffff), quotedName: "public.\(name)", schema: "public", name: name, kind: kind,
            estimatedRows: Double(blocks * 100), blocks: blocks, readable: true, rowSecurity: false)
    }

    /// PostgreSQL's `compute_parallel_worker`: no worker below the threshold, one more each time the size
    /// triples, never more than `max_parallel_workers`; the leader makes one more connection.
    @Test func automaticCountGrowsWithEachTriplingUpToTheServersWorkers() {
        let settings = ExtractionPlanner.Settings(maxParallelWorkers: 8, minParallelScanBlocks: 1024)
        var previous = 1
        for blocks in [0, 1023, 1024, 3071, 3072, 9216, 27_648, 82_944, 1 << 40] {
            let count = ExtractionPlanner.automaticConnections(blocks: blocks, settings: settings)
            let workers = blocks < 1024 ? 0 : 1 + Int((log(Double(blocks) / 1024) / log(3)).rounded(.down))
            #expect(count == 1 + min(workers, 8), "\(blocks) blocks")
            #expect(count >= previous)
            previous = count
        }
        #expect(ExtractionPlanner.automaticConnections(blocks: 1 << 40, settings: .init(maxParallelWorkers: 0, minParallelScanBlocks: 1024)) == 1)
        #expect(ExtractionPlanner.automaticConnections(blocks: 1 << 40, settings: .init(maxParallelWorkers: 2, minParallelScanBlocks: 1024)) == 3)
    }

    /// Page ranges of a leaf are disjoint, cover every page (the last one open-ended, for pages added
    /// since), and come larger first; without TID range scans every leaf is one piece.
    @Test(arguments: [1, 2, 3, 7])
    func piecesAreDisjointAndCoverEveryPage(connections: Int) {
        let scan = ExtractionPlanner.Scan(leaves: [Self.leaf("a", blocks: 10_000), Self.leaf("b", blocks: 37), Self.leaf("c", blocks: 0)])
        let pieces = ExtractionPlanner.pieces(scan, connections: connections, minimumBlocks: 100)
        for name in ["a", "b", "c"] {
            let ranges = pieces.filter { $0.relation == "ONLY public.\(name)" }.map { $0.pages ?? .init(first: 0, end: nil) }
                .sorted { $0.first < $1.first }
            #expect(ranges.first?.first == 0, "\(name)")
            #expect(ranges.last?.end == nil, "\(name)")
            for (a, b) in zip(ranges, ranges.dropFirst()) { #expect(a.end == b.first, "\(name)") }
        }
        #expect(pieces.filter { $0.relation == "ONLY public.a" }.count == connections * ExtractionPlanner.piecesPerConnection)
        #expect(zip(pieces, pieces.dropFirst()).allSatisfy { $0.weight >= $1.weight })
        let whole = ExtractionPlanner.pieces(scan, connections: connections, minimumBlocks: 100, pageRanges: false)
        #expect(whole.map(\.relation).sorted() == ["ONLY public.a", "ONLY public.b", "ONLY public.c"])
        #expect(whole.allSatisfy { $0.pages == nil })
    }
}

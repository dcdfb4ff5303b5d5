/// One part of a view's read: the rows of one relation (the source, or one of its leaf partitions read
/// with `ONLY`), optionally only those in a range of its heap pages. The pieces of a read are disjoint
/// and together hold every row the whole read would return.
struct ScanPiece: Sendable, Hashable {
    /// Heap pages from `first` up to, not including, `end`; no `end` reads to the last page, so that pages
    /// added after the pieces were cut are not missed.
    struct Pages: Sendable, Hashable {
        var first: Int
        var end: Int?
    }

    /// The `FROM` item: the quoted source table, or `ONLY schema.leaf` as PostgreSQL quotes it.
    var relation: String
    /// The pages read; nil for all of them.
    var pages: Pages?
    /// About how many pages the piece reads, to hand out the larger ones first.
    var weight: Int

    /// The whole source in one piece: the serial read.
    static func whole(_ table: String) -> ScanPiece { ScanPiece(relation: table, pages: nil, weight: 0) }

    /// The condition selecting the piece's pages (a TID range scan), nil when it reads the whole relation.
    var pageCondition: String? {
        guard let pages else { return nil }
        var condition = "ctid >= '(\(pages.first),0)'::tid"
        if let end = pages.end { condition += " AND ctid < '(\(end),0)'::tid" }
        return condition
    }
}

/// How a view is joined to a spine.
public enum JoinStrategy: String, Sendable, Hashable, CaseIterable {
    /// Per view: `lateral` when the source has an index on (join keys, event timestamp) and the spine
    /// is small beside the table, else `extraction`.
    case automatic
    /// Stream the view's rows in the spine's time range by binary COPY and fold them into a
    /// streaming as-of join in Strata; memory is bounded by the spine, not the view. Needs no index.
    case extraction
    /// Hold the whole extraction and join it with a sort-merge as-of join on both cores.
    case sortMerge = "sort-merge"
    /// Upload the spine to a temporary table and let PostgreSQL look up each row with an
    /// index-backed `LEFT JOIN LATERAL (… ORDER BY ts DESC, created DESC, features… LIMIT 1)`.
    case lateral
}

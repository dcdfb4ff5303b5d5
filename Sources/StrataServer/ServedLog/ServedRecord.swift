import StrataOnline

/// One sampled request, as queued for the served-feature log: its answer is kept as columns and
/// turned into table rows (one per entity row) by the writer, off the request path.
struct ServedRecord: Sendable {
    /// The request's id (its `x-request-id` header when given).
    let requestID: String
    /// When the server answered (µs since the Unix epoch).
    let servedAt: Int64
    /// The instant the values are as of: the request's `"at"`, else `servedAt`.
    let asOf: Int64
    /// `get-online-features` or `predict`.
    let route: String
    /// The features served.
    let features: OnlineFeatures
    /// The model and version that scored the rows, for `predict`.
    let model: (name: String, version: Int)?
    /// One prediction per entity row, for `predict`.
    let predictions: [Double]?

    /// The number of log rows this record becomes.
    var rowCount: Int { features.rowCount }
}

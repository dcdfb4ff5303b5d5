/// A feature view whose online keys an `apply` made unreadable and that Redis has not dropped yet
/// (table `strata_online_cleanups`).
public struct PendingOnlineCleanup: Sendable, Hashable {
    /// The view.
    public var view: String
    /// The last request covered: completing the cleanup removes the requests up to this one, so that a
    /// request recorded meanwhile by another apply stays.
    public var lastRequest: Int64
    /// Failed deletions so far.
    public var attempts: Int
    /// Why the last deletion failed.
    public var lastError: String?
}

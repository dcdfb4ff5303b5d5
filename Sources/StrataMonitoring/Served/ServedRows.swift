import StrataColumnar
import StrataCore

/// Rows of the served-feature log in a window, as columns: per requested feature its served values
/// (typed as the registry declares the feature; null unless `PRESENT`) and statuses, and, when read
/// for a replay, where each row came from and the entity it was served for.
public struct ServedRows: Sendable {
    /// Where each row came from and the entity it was served for, read for replays (skew).
    public struct Origin: Sendable {
        /// The request's id (shared by the rows of one request).
        public var requestIDs: Column
        /// The entity row's position in its request (int32).
        public var rowIndexes: Column
        /// The instant the values were served as of (timestamp).
        public var asOf: Column
        /// The join-key names, in `keys` order.
        public var keyNames: [String]
        /// The join-key columns, typed as their entities declare (null where the request lacked the key).
        public var keys: [Column]
    }

    /// The number of log rows read.
    public var count: Int
    /// The features, in the order asked for.
    public var references: [FeatureReference]
    /// Per feature, the served values.
    public var values: [Column]
    /// Per feature, each row's status (`absent` where the request did not ask for the feature).
    public var statuses: [[ServedStatus]]
    /// Where rows came from; nil unless asked for.
    public var origin: Origin?
}

import StrataColumnar
import StrataCore

/// A built training set: the spine's columns then one column per feature, with where it came from.
public struct TrainingSet: Sendable {
    /// The rows: spine columns first, then `view__feature` columns in request order.
    public var frame: Frame
    /// What was asked for and from which registry versions; saved with the set.
    public var lineage: Lineage

    /// Where a training set came from, so that it can be explained and fetched again.
    public struct Lineage: Sendable, Hashable, Codable {
        public var project: String
        /// The feature references, in order.
        public var features: [String]
        /// The feature service, when the set was asked for by service.
        public var service: String?
        /// Registry version of each view involved, by view name.
        public var viewVersions: [String: Int]
        /// The spine's definition (`table:…`, `query:…` or `csv:…`).
        public var spine: String
        /// SHA-256 of the spine's rows as loaded.
        public var spineHash: String
        public var rowCount: Int
        /// Which join strategy produced each view's columns, by view name.
        public var strategies: [String: String]

        enum CodingKeys: String, CodingKey {
            case project, features, service, spine, strategies
            case viewVersions = "view_versions"
            case spineHash = "spine_hash"
            case rowCount = "row_count"
        }
    }
}

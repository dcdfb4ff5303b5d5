/// Everything a folder of schema files declares: the desired state of one project.
public struct Repository: Sendable, Hashable {
    public var project: String
    public var entities: [Entity]
    public var sources: [Source]
    public var featureViews: [FeatureView]
    public var featureServices: [FeatureService]
    /// Where each object and field was written, keyed by `ObjectPath`.
    ///
    /// `ObjectPath(kind, name)` (empty field) is where the object's mapping starts. Fields name keys
    /// of the schema file, and the position is that of the value:
    /// - entity: `join_key`, `type`;
    /// - source: `table`, `timestamp`, `created_timestamp`;
    /// - feature view: `entities`, `entities.<i>` (the i-th entity name, from 0), `source`, `ttl`,
    ///   `online`, `online_expiry`, `features`, `features.<feature>` (the feature's mapping) and
    ///   `features.<feature>.type`;
    /// - feature service: `features`, `features.<i>` (the i-th reference, from 0).
    ///
    /// Optional fields a file leaves out have no entry.
    public var locations: [ObjectPath: SourceLocation]

    public init(
        project: String, entities: [Entity] = [], sources: [Source] = [], featureViews: [FeatureView] = [],
        featureServices: [FeatureService] = [], locations: [ObjectPath: SourceLocation] = [:]
    ) {
        self.project = project
        self.entities = entities
        self.sources = sources
        self.featureViews = featureViews
        self.featureServices = featureServices
        self.locations = locations
    }

    public func entity(named name: String) -> Entity? { entities.first { $0.name == name } }
    public func source(named name: String) -> Source? { sources.first { $0.name == name } }
    public func featureView(named name: String) -> FeatureView? { featureViews.first { $0.name == name } }
    public func featureService(named name: String) -> FeatureService? { featureServices.first { $0.name == name } }
}

/// The kind of a registered object.
public enum ObjectKind: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case entity, source, featureView = "feature_view", featureService = "feature_service", model

    public static func < (a: ObjectKind, b: ObjectKind) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// Names an object, or one field of it, for locations and messages:
/// e.g. `(featureView, "driver_stats", "features.conv_rate.type")`.
public struct ObjectPath: Sendable, Hashable, CustomStringConvertible {
    public var kind: ObjectKind
    public var name: String
    /// A field inside the object; "" for the object itself.
    public var field: String

    public init(_ kind: ObjectKind, _ name: String, field: String = "") {
        self.kind = kind
        self.name = name
        self.field = field
    }

    public var description: String { field.isEmpty ? "\(kind.rawValue) \(name)" : "\(kind.rawValue) \(name) \(field)" }
}

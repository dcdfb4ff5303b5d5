import StrataCore

/// An object as a folder of schema files declares it, with its canonical form and content hash.
struct DesiredObject: Sendable, Hashable {
    /// The declared object itself, so that diffs read it without decoding its spec again.
    enum Declared: Sendable, Hashable {
        case entity(Entity)
        case source(Source)
        case featureView(FeatureView)
        case featureService(FeatureService)
    }

    var declared: Declared
    var spec: String
    var contentHash: String

    init(_ declared: Declared) {
        self.declared = declared
        spec = switch declared {
        case .entity(let e): CanonicalJSON.encode(e)
        case .source(let s): CanonicalJSON.encode(s)
        case .featureView(let v): CanonicalJSON.encode(v)
        case .featureService(let s): CanonicalJSON.encode(s)
        }
        contentHash = SHA256.hex(spec)
    }

    var kind: ObjectKind {
        switch declared {
        case .entity: .entity
        case .source: .source
        case .featureView: .featureView
        case .featureService: .featureService
        }
    }

    var name: String {
        switch declared {
        case .entity(let e): e.name
        case .source(let s): s.name
        case .featureView(let v): v.name
        case .featureService(let s): s.name
        }
    }

    /// Every object a repository declares, in a stable order.
    static func all(in repository: Repository) -> [DesiredObject] {
        repository.entities.map { DesiredObject(.entity($0)) } + repository.sources.map { DesiredObject(.source($0)) }
            + repository.featureViews.map { DesiredObject(.featureView($0)) }
            + repository.featureServices.map { DesiredObject(.featureService($0)) }
    }
}

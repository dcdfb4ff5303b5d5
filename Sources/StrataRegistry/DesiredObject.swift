import StrataCore

/// An object as a folder of schema files declares it, in the registry's canonical form.
struct DesiredObject: Sendable, Hashable {
    var kind: ObjectKind
    var name: String
    var spec: String
    var contentHash: String

    init<T: Encodable>(kind: ObjectKind, name: String, value: T) {
        self.kind = kind
        self.name = name
        spec = CanonicalJSON.encode(value)
        contentHash = SHA256.hex(spec)
    }

    /// Every object a repository declares, in a stable order.
    static func all(in repository: Repository) -> [DesiredObject] {
        var objects: [DesiredObject] = []
        for e in repository.entities { objects.append(DesiredObject(kind: .entity, name: e.name, value: e)) }
        for s in repository.sources { objects.append(DesiredObject(kind: .source, name: s.name, value: s)) }
        for v in repository.featureViews { objects.append(DesiredObject(kind: .featureView, name: v.name, value: v)) }
        for s in repository.featureServices {
            objects.append(DesiredObject(kind: .featureService, name: s.name, value: s))
        }
        return objects
    }
}

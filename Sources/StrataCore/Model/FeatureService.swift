/// A named, ordered list of feature references, served and trained on together.
public struct FeatureService: Sendable, Hashable, Codable {
    public var name: String
    public var features: [FeatureReference]
    public var description: String?

    public init(name: String, features: [FeatureReference], description: String? = nil) {
        self.name = name
        self.features = features
        self.description = description
    }
}

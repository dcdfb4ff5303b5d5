/// A thing features describe (a driver, a customer), identified by one join key.
public struct Entity: Sendable, Hashable, Codable {
    public var name: String
    public var joinKey: String
    public var type: JoinKeyType
    public var description: String?

    public init(name: String, joinKey: String, type: JoinKeyType, description: String? = nil) {
        self.name = name
        self.joinKey = joinKey
        self.type = type
        self.description = description
    }
}

/// The type of a feature value, as written in a schema file.
public enum ValueType: String, Sendable, Hashable, Codable, CaseIterable {
    case float64, float32, int64, int32, bool, string, timestamp
}

/// The type of an entity's join key.
public enum JoinKeyType: String, Sendable, Hashable, Codable, CaseIterable {
    case int64, string
}

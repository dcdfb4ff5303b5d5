import Foundation
import StrataCore

/// One version of one object as the registry stores it.
public struct RegisteredObject: Sendable, Hashable {
    public var kind: ObjectKind
    public var name: String
    public var version: Int
    public var contentHash: String
    /// The object's canonical JSON; nil for a removal.
    public var spec: String?
    public var removed: Bool
    /// When this version was applied, as PostgreSQL prints a timestamptz.
    public var appliedAt: String

    /// The spec decoded as `T`.
    public func decode<T: Decodable>(_ type: T.Type) throws -> T {
        guard let spec else {
            throw RegistryError(code: .corruptSpec, message: "\(kind.rawValue) \(name) v\(version) was removed and has no spec")
        }
        do {
            return try JSONDecoder().decode(type, from: Data(spec.utf8))
        } catch {
            throw RegistryError(code: .corruptSpec, message: "\(kind.rawValue) \(name) v\(version) has an unreadable spec: \(error)")
        }
    }
}

/// A training-set failure caused by the request: an unknown feature, a malformed spine, bad output.
public struct OfflineError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public enum Code: String, Sendable, Hashable {
        case unknownFeature
        case badSpine
        case badOutput
        case notFound
        /// A registered model whose features no longer have the types it was trained on.
        case incompatibleModel
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}

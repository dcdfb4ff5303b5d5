/// A promise a decoder broke on some input: an error of a kind no caller expects, an error that does not
/// say where, or a result that contradicts itself. Unlike a refusal, this is a bug to fix.
public struct FuzzFailure: Error, Sendable, CustomStringConvertible {
    /// The fuzz target that found it.
    public var target: FuzzTarget
    /// What broke.
    public var message: String

    /// Creates a failure of `target`.
    public init(_ target: FuzzTarget, _ message: String) {
        self.target = target
        self.message = message
    }

    /// `target: message`.
    public var description: String { "\(target.rawValue): \(message)" }
}

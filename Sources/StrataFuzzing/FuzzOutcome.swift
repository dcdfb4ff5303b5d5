/// What a decoder made of one fuzz input: a result, or the clear error that bad input deserves.
public enum FuzzOutcome: Sendable, Equatable {
    /// The input was read.
    case accepted
    /// The input was refused with this message (which names where the problem is).
    case refused(String)
}

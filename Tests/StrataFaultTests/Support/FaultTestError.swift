/// A fault test's own failure: a store that does not look as expected, or a helper that could not start.
struct FaultTestError: Error, CustomStringConvertible {
    var description: String
}

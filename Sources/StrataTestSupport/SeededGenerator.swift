import StrataColumnar

/// The tests' deterministic random generator, so that a test draws the same data on every run.
public typealias SeededGenerator = SplitMix64

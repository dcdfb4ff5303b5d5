/// A command line `strata-bench` cannot run: an unknown suite or option, or a bad value. Exit 2.
struct BenchUsageError: Error, CustomStringConvertible {
    enum Code {
        case unknownSuite
        case unknownOption
        case missingValue
        case badValue
    }

    let code: Code
    /// What was given, what was expected and how to see the choices.
    let message: String

    init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    var description: String { message }
}

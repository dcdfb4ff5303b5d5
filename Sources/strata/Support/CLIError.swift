/// An error the CLI reports itself, with the exit code it maps to.
struct CLIError: Error, CustomStringConvertible {
    /// DESIGN.md's exit codes.
    enum Code: Int32 {
        case finding = 1
        case badInput = 2
        case unreachable = 3
    }

    var code: Code
    var message: String

    init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    var description: String { message }
}

/// One option a suite accepts, as `--help` lists it and as `BenchSuite.validate` checks it before the suite
/// runs: its name, the placeholders of the values that follow it, its default and what it does.
struct BenchOption: Sendable {
    /// What the value after an option must be.
    enum Value: Sendable {
        /// A whole number above zero (`N`).
        case count
        /// Seeds separated by commas (`SEED[,SEED...]`).
        case seeds
        /// Any text (a folder, a file), named by the placeholder.
        case text(String)

        var placeholder: String {
            switch self {
            case .count: "N"
            case .seeds: "SEED[,SEED...]"
            case .text(let name): name
            }
        }
    }

    let name: String
    let values: [Value]
    /// The default, as the usage text shows it; empty for a flag or for an option without one.
    let defaultValue: String
    let help: String

    /// A flag: the option alone.
    static func flag(_ name: String, _ help: String) -> BenchOption {
        BenchOption(name: name, values: [], defaultValue: "", help: help)
    }

    /// An option followed by one whole number above zero.
    static func count(_ name: String, default defaultValue: String, _ help: String) -> BenchOption {
        BenchOption(name: name, values: [.count], defaultValue: defaultValue, help: help)
    }

    /// The option and its placeholders, as in `--runs N`.
    var synopsis: String { ([name] + values.map(\.placeholder)).joined(separator: " ") }
}

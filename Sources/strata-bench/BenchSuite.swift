/// A suite of `strata-bench`: what it measures, the options, environment variables and Debian packages it
/// needs, and its entry point. `--help` and the check of the command line happen here, before the suite starts
/// anything.
struct BenchSuite: Sendable {
    let name: String
    /// One line, for the list of suites.
    let summary: String
    /// What it measures and against what, for its `--help`.
    let details: String
    let options: [BenchOption]
    /// A value given without an option (the `clients` suite's iteration count), if the suite takes one.
    var positional: BenchOption? = nil
    /// The environment variables it reads, each with what it is for.
    var environment: [(name: String, help: String)] = BenchSuite.serverVariables
    /// The Debian packages it needs, each with what for.
    var packages: [(name: String, help: String)] = BenchSuite.serverPackages
    let run: @Sendable ([String]) throws -> Void

    /// The variables of every suite that uses PostgreSQL and Redis.
    static let serverVariables = [
        (name: BenchServers.postgresVariable,
         help: "the PostgreSQL database to use, holding nothing but strata-bench's tables; unset: a throwaway server"),
        (name: BenchServers.redisVariable,
         help: "the Redis database to use, holding nothing but strata-bench's keys; unset: a throwaway server"),
    ]

    /// The variable naming the peers' Python.
    static let pythonVariable = (
        name: "STRATA_BENCH_PYTHON", help: "the Python whose packages the peers come from (default python3; without them, no peer figures)")

    /// The packages of every suite that uses PostgreSQL and Redis.
    static let serverPackages = [
        (name: "postgresql", help: "the throwaway PostgreSQL (unless STRATA_BENCH_POSTGRES_URL is set)"),
        (name: "redis-server", help: "the throwaway Redis (unless STRATA_BENCH_REDIS_URL is set)"),
    ]

    /// The usage text `SUITE --help` prints.
    var usage: String {
        let synopsis = ([name] + (positional.map { ["[\($0.name)]"] } ?? [])
            + (options.isEmpty ? [] : ["[options]"])).joined(separator: " ")
        var lines = ["usage: strata-bench \(synopsis)", "", details, ""]
        let help = BenchOption.flag("-h, --help", "print this text and exit, running nothing")
        let listed = (positional.map { [(left: $0.name, option: $0)] } ?? []) + (options + [help]).map { (left: $0.synopsis, option: $0) }
        let width = listed.map(\.left.count).max() ?? 0
        lines.append(positional == nil ? "options:" : "arguments and options:")
        for (left, option) in listed {
            let fallback = option.defaultValue.isEmpty ? "" : " (default \(option.defaultValue))"
            lines.append("  " + left.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + option.help + fallback)
        }
        lines.append("")
        lines.append("environment:")
        if environment.isEmpty { lines.append("  none read") }
        for variable in environment { lines.append("  \(variable.name): \(variable.help)") }
        lines.append("")
        lines.append("Debian packages (apt-get install -y ...):")
        if packages.isEmpty { lines.append("  none beyond the build's (libpq-dev, libhiredis-dev)") }
        for package in packages { lines.append("  \(package.name): \(package.help)") }
        lines.append("")
        lines.append("Exit codes: 0 done, 1 the suite failed, 2 bad options or refused servers, 3 unreachable servers, 130/143 interrupted.")
        return lines.joined(separator: "\n")
    }

    /// Whether `arguments` ask for help; otherwise checks them against the options, throwing on an unknown option,
    /// a missing value or a value of the wrong kind, so that a mistyped option never runs a suite for minutes.
    func wantsHelp(_ arguments: [String]) throws -> Bool {
        if arguments.contains("--help") || arguments.contains("-h") { return true }
        var index = 0
        var positionalSeen = false
        while index < arguments.count {
            let argument = arguments[index]
            if let option = options.first(where: { $0.name == argument }) {
                for (offset, value) in option.values.enumerated() {
                    let position = index + 1 + offset
                    guard position < arguments.count else {
                        throw BenchUsageError(.missingValue, "\(name): \(option.name) expects \(option.synopsis); see strata-bench \(name) --help")
                    }
                    try check(arguments[position], as: value, for: option.name)
                }
                index += 1 + option.values.count
            } else if let positional, !positionalSeen, !argument.hasPrefix("-") {
                try check(argument, as: positional.values[0], for: positional.name)
                positionalSeen = true
                index += 1
            } else {
                let known = options.map(\.name).joined(separator: ", ")
                throw BenchUsageError(
                    .unknownOption,
                    "\(name): unknown option '\(argument)'; "
                        + (options.isEmpty ? "this suite takes none" : "its options are \(known)") + " (strata-bench \(name) --help)")
            }
        }
        return false
    }

    private func check(_ text: String, as value: BenchOption.Value, for option: String) throws {
        switch value {
        case .count:
            guard let number = Int(text), number > 0 else {
                throw BenchUsageError(.badValue, "\(name): \(option) expects a whole number above zero, not '\(text)'")
            }
        case .seeds:
            let seeds = text.split(separator: ",", omittingEmptySubsequences: false).map { UInt64($0) }
            guard !seeds.isEmpty, seeds.allSatisfy({ $0 != nil }) else {
                throw BenchUsageError(.badValue, "\(name): \(option) expects whole numbers separated by commas, such as 0,1,2, not '\(text)'")
            }
        case .text:
            break
        }
    }
}

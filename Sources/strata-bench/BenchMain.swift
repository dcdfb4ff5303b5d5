import Foundation

/// `strata-bench SUITE`: performance suites, each printing its figures beside a baseline measured in
/// the same run and ending with one line `SUITE: key=value ...`. Run in release:
/// `swift run -c release strata-bench SUITE`.
@main
struct BenchMain {
    static let suites: [(name: String, summary: String, run: @Sendable ([String]) throws -> Void)] = [
        ("clients", "libpq and hiredis round trips through Strata's wrappers beside the raw C calls", ClientsSuite.run),
        ("offline", "point-in-time training set of a 1M-row spine over three views beside hand-written SQL", OfflineSuite.run),
        ("training", "GBDT and logistic regression beside LightGBM and scikit-learn; predict latency; sum and histogram beside NumPy", TrainingSuite.run),
        ("online", "materialise 2M entities into Redis and look them up, beside raw pipelined SET/MGET", OnlineSuite.run),
        ("serve", "strata serve under wrk beside nginx and a canned Hummingbird server: latency, throughput, predict, logging", ServeSuite.run),
    ]

    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        guard let name = arguments.first, name != "--help", name != "-h" else {
            printUsage()
            exit(arguments.isEmpty ? 2 : 0)
        }
        guard let suite = suites.first(where: { $0.name == name }) else {
            FileHandle.standardError.write(Data("unknown suite '\(name)'\n".utf8))
            printUsage()
            exit(2)
        }
        do {
            try suite.run(Array(arguments.dropFirst()))
        } catch {
            FileHandle.standardError.write(Data("\(name) failed: \(error)\n".utf8))
            exit(1)
        }
    }

    static func printUsage() {
        print("usage: swift run -c release strata-bench SUITE [options]\n\nsuites:")
        for suite in suites { print("  \(suite.name.padding(toLength: 10, withPad: " ", startingAt: 0)) \(suite.summary)") }
        print("\nServers: STRATA_POSTGRES_URL and STRATA_REDIS_URL when set, else throwaway local ones.")
    }
}

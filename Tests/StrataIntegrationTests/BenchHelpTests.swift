import Foundation
import StrataTestSupport
import Testing

/// `strata-bench SUITE --help` explains the suite and runs nothing; a mistyped suite or option is refused with
/// exit 2 before anything starts.
@Suite("strata-bench's command line", .serialized)
struct BenchHelpTests {
    static let suites = ["clients", "offline", "training", "kernels", "online", "aggregations", "check", "drift", "serve"]

    /// Runs `strata-bench` in a fresh empty folder, with the bench variables pointing at nothing that answers, so
    /// that a suite that did run would fail loudly or start servers; returns the outcome and what the folder holds.
    static func run(_ arguments: [String]) throws -> (StrataCLI.Outcome, [String]) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("strata-bench-help-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let outcome = try StrataCLI.run(
            arguments, environment: ["STRATA_BENCH_POSTGRES_URL": "", "STRATA_BENCH_REDIS_URL": "", "STRATA_BENCH_PYTHON": "/nonexistent"],
            in: folder, program: "strata-bench")
        return (outcome, try FileManager.default.contentsOfDirectory(atPath: folder.path))
    }

    @Test(arguments: suites)
    func eachSuiteAnswersHelpWithoutRunning(suite: String) throws {
        for flag in ["--help", "-h"] {
            let (outcome, leftovers) = try Self.run([suite, flag])
            #expect(outcome.status == 0, "\(outcome.stderr)")
            #expect(outcome.stdout.hasPrefix("usage: strata-bench \(suite)"))
            #expect(outcome.stdout.contains("-h, --help"))
            #expect(outcome.stdout.contains("environment:"))
            #expect(outcome.stdout.contains("Debian packages"))
            // Nothing ran: no server was started, no figure printed, nothing written.
            #expect(outcome.stderr.isEmpty, "\(outcome.stderr)")
            #expect(!outcome.stdout.split(separator: "\n").contains { $0.hasPrefix("\(suite): ") })
            #expect(leftovers.isEmpty)
        }
    }

    /// Help wins wherever it stands, even after an option the suite would otherwise act on.
    @Test func helpAfterOtherOptionsStillRunsNothing() throws {
        let (outcome, _) = try Self.run(["online", "--entities", "10", "--help"])
        #expect(outcome.status == 0)
        #expect(outcome.stdout.contains("--entities N"))
        #expect(outcome.stderr.isEmpty, "\(outcome.stderr)")
    }

    @Test func suitesThatUseServersNameTheBenchVariablesAndPackages() throws {
        for suite in ["clients", "offline", "online", "aggregations", "drift", "serve"] {
            let (outcome, _) = try Self.run([suite, "--help"])
            #expect(outcome.stdout.contains("STRATA_BENCH_POSTGRES_URL"), "\(suite)")
            #expect(outcome.stdout.contains("STRATA_BENCH_REDIS_URL"), "\(suite)")
            #expect(outcome.stdout.contains("postgresql"), "\(suite)")
            #expect(outcome.stdout.contains("redis-server"), "\(suite)")
        }
        let (serve, _) = try Self.run(["serve", "--help"])
        for option in ["--seconds N", "--runs N", "--warmup N", "--soak N", "--schemas DIR"] {
            #expect(serve.stdout.contains(option), "\(option)")
        }
        #expect(serve.stdout.contains("wrk") && serve.stdout.contains("nginx-light"))
    }

    @Test func theListOfSuitesHasOneLineForEach() throws {
        for arguments in [["--help"], ["-h"], []] {
            let (outcome, _) = try Self.run(arguments)
            #expect(outcome.status == (arguments.isEmpty ? 2 : 0))
            let lines = outcome.stdout.split(separator: "\n")
            for suite in Self.suites {
                #expect(lines.filter { $0.hasPrefix("  \(suite) ") }.count == 1, "\(suite)")
            }
        }
    }

    @Test func anUnknownSuiteIsNamedAndExitsTwo() throws {
        let (outcome, _) = try Self.run(["onlin"])
        #expect(outcome.status == 2)
        #expect(outcome.stderr.contains("unknown suite 'onlin'"))
        #expect(outcome.stderr.contains("online"))
    }

    @Test(arguments: suites)
    func anUnknownOptionIsNamedAndExitsTwoBeforeAnythingStarts(suite: String) throws {
        let (outcome, leftovers) = try Self.run([suite, "--no-such-option"])
        #expect(outcome.status == 2)
        #expect(outcome.stderr.contains("unknown option '--no-such-option'"), "\(outcome.stderr)")
        #expect(!outcome.stderr.contains("starting throwaway"))
        #expect(leftovers.isEmpty)
    }

    @Test func aBadOrMissingValueExitsTwo() throws {
        let (zero, _) = try Self.run(["offline", "--runs", "0"])
        #expect(zero.status == 2)
        #expect(zero.stderr.contains("--runs") && zero.stderr.contains("'0'"))
        let (missing, _) = try Self.run(["aggregations", "--lookups"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("--lookups"))
        let (seeds, _) = try Self.run(["training", "--labels", "1,x"])
        #expect(seeds.status == 2)
        #expect(seeds.stderr.contains("'1,x'"))
    }
}

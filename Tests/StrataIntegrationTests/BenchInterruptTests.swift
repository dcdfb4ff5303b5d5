import Foundation
import StrataEmbedded
import StrataTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Ctrl-C (SIGINT) and SIGTERM sent to a running `strata-bench` stop every process and server its suite started
/// and remove its temporary folders; it exits 130 or 143.
@Suite("Interrupting strata-bench", .enabled(if: TestServices.enabled))
struct BenchInterruptTests {
    /// The throwaway folder (`/tmp/strata-services-*`) whose owner file names `pid`.
    static func throwawayFolder(ownedBy pid: Int32) -> String? {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/tmp")) ?? []
        return names.filter { $0.hasPrefix("strata-services-") }.map { "/tmp/\($0)" }.first { folder in
            let owner = try? String(contentsOfFile: "\(folder)/owner", encoding: .utf8)
            return owner?.split(separator: " ").first == Substring(String(pid))
        }
    }

    /// The pid in the first line of `path`, if the file exists and holds one.
    static func pid(inFile path: String) -> Int32? {
        (try? String(contentsOfFile: path, encoding: .utf8))?.split(separator: "\n").first.flatMap { Int32($0) }
    }

    /// The processes whose parent is `pid`, with their command lines.
    static func children(of pid: Int32) -> [(pid: Int32, command: String)] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { Int32($0) }.compactMap { child in
            guard let stat = try? String(contentsOfFile: "/proc/\(child)/stat", encoding: .utf8),
                  let afterName = stat.lastIndex(of: ")")
            else { return nil }
            let fields = stat[stat.index(after: afterName)...].split(separator: " ")
            guard fields.count > 1, Int32(fields[1]) == pid else { return nil }
            let command = (try? String(contentsOfFile: "/proc/\(child)/cmdline", encoding: .utf8))?
                .replacingOccurrences(of: "\0", with: " ") ?? ""
            return (child, command)
        }
    }

    /// Interrupted once its throwaway PostgreSQL and Redis run, the `clients` suite stops both and removes their
    /// folder.
    @Test(arguments: [(SIGINT, Int32(130)), (SIGTERM, Int32(143))])
    func theThrowawayServersAreStoppedAndRemoved(signal: Int32, status: Int32) throws {
        let running = try StrataCLI.start(
            ["clients", "1000000000"], environment: BenchSafetyTests.environment(), program: "strata-bench")
        var servers: (folder: String, postgres: Int32, redis: Int32)?
        try Waiting.until("strata-bench's throwaway PostgreSQL and Redis", seconds: 120) {
            guard running.isRunning else { return true }
            guard let folder = Self.throwawayFolder(ownedBy: running.pid),
                  let postgres = Self.pid(inFile: "\(folder)/pg/data/postmaster.pid"),
                  let redis = Self.pid(inFile: "\(folder)/redis/redis.pid"),
                  ProcessProbe.isAlive(postgres), ProcessProbe.isAlive(redis)
            else { return false }
            servers = (folder, postgres, redis)
            return true
        }
        running.send(signal)
        let outcome = running.wait(killingAfter: 120)
        let started = try #require(servers, "the suite ended before its servers ran: \(outcome.stderr)")
        #expect(!outcome.killedBySignal && outcome.status == status, "\(outcome.status) \(outcome.stderr)")
        #expect(outcome.stderr.contains("interrupted by"), "\(outcome.stderr)")
        #expect(!FileManager.default.fileExists(atPath: started.folder))
        #expect(!ProcessProbe.isAlive(started.postgres))
        #expect(!ProcessProbe.isAlive(started.redis))
    }

    /// Interrupted while the `training` suite waits for its `kernels` child, strata-bench stops the child too.
    @Test func aChildProcessIsStopped() throws {
        let running = try StrataCLI.start(
            ["training", "--rows", "1000", "--repeat", "1"], environment: ["STRATA_BENCH_PYTHON": "/nonexistent"],
            program: "strata-bench")
        var child: Int32?
        try Waiting.until("the kernels child of strata-bench training", seconds: 300) {
            child = Self.children(of: running.pid).first { $0.command.contains("kernels") }?.pid
            return child != nil || !running.isRunning
        }
        running.send(SIGINT)
        let outcome = running.wait(killingAfter: 120)
        let kernels = try #require(child, "the suite ended before it started kernels: \(outcome.stderr)")
        #expect(!outcome.killedBySignal && outcome.status == 130, "\(outcome.status) \(outcome.stderr)")
        #expect(!ProcessProbe.isAlive(kernels))
        #expect(Self.children(of: running.pid).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: "/tmp/strata-bench-training-\(running.pid)"))
    }
}

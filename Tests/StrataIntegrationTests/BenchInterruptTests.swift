import Foundation
import StrataEmbedded
import StrataTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Ctrl-C (SIGINT) and SIGTERM sent to a running `strata-bench` stop every process and server its suite started
/// and remove its temporary folders; it exits 130 or 143.
@Suite("Interrupting strata-bench", .serialized, .enabled(if: TestServices.enabled))
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
    @Test func theThrowawayServersAreStoppedAndRemoved() throws {
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
        running.send(SIGINT)
        let outcome = running.wait(killingAfter: 120)
        let started = try #require(servers, "the suite ended before its servers ran: \(outcome.stderr)")
        #expect(!outcome.killedBySignal && outcome.status == 130, "\(outcome.status) \(outcome.stderr)")
        #expect(outcome.stderr.contains("interrupted by"), "\(outcome.stderr)")
        #expect(!FileManager.default.fileExists(atPath: started.folder))
        #expect(!ProcessProbe.isAlive(started.postgres))
        #expect(!ProcessProbe.isAlive(started.redis))
    }

    /// SIGTERM while the `training` suite waits for its peers' Python stops that child and the process it started
    /// in turn. The "Python" is a shell script that starts a `sleep` and waits, holding the suite at a known point.
    @Test func aChildAndItsOwnChildrenAreStopped() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("strata-bench-peer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let python = folder.appendingPathComponent("python").path
        let grandchildFile = folder.appendingPathComponent("sleep.pid").path
        try "#!/bin/sh\nsleep 600 &\necho $! > '\(grandchildFile)'\nwait\n".write(toFile: python, atomically: true, encoding: .utf8)
        chmod(python, 0o755)

        let running = try StrataCLI.start(
            ["training", "--logistic-only", "--rows", "1000", "--repeat", "1"], environment: ["STRATA_BENCH_PYTHON": python],
            program: "strata-bench")
        var held: (child: Int32, grandchild: Int32)?
        try Waiting.until("the peers' Python started by strata-bench training", seconds: 120) {
            guard running.isRunning else { return true }
            guard let child = Self.children(of: running.pid).first(where: { $0.command.contains(python) })?.pid,
                  let grandchild = Self.pid(inFile: grandchildFile), ProcessProbe.isAlive(grandchild)
            else { return false }
            held = (child, grandchild)
            return true
        }
        running.send(SIGTERM)
        let outcome = running.wait(killingAfter: 120)
        let started = try #require(held, "the suite ended before it started its peers: \(outcome.stderr)")
        #expect(!outcome.killedBySignal && outcome.status == 143, "\(outcome.status) \(outcome.stderr)")
        #expect(outcome.stderr.contains("interrupted by SIGTERM"), "\(outcome.stderr)")
        #expect(!ProcessProbe.isAlive(started.child))
        #expect(!ProcessProbe.isAlive(started.grandchild))
    }
}

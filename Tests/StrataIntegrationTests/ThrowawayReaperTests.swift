import Foundation
import StrataEmbedded
import StrataTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Throwaway servers whose owner died without stopping them (SIGKILL) are stopped by the next start.
@Suite("Throwaway servers are reaped", .enabled(if: TestServices.enabled))
struct ThrowawayReaperTests {
    @Test func serversOfAKilledOwnerAreStoppedByTheNextStart() throws {
        let ready = "/tmp/strata-reaper-test-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: ready) }
        let child = Process()
        child.executableURL = URL(fileURLWithPath: try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
        child.arguments = ["--testing-library", "swift-testing", "--filter", "holdThrowawayServicesUntilKilled"]
        // The child uses this process's shared servers, so that the only throwaway servers it starts are the
        // ones under test (whose folder it reports).
        let shared = try TestServices.shared
        child.environment = ProcessInfo.processInfo.environment.merging([
            OrphanMaker.variable: ready, "STRATA_TEST_POSTGRES_URL": shared.postgresURL,
            "STRATA_TEST_REDIS_URL": shared.redisURL,
        ]) { _, new in new }
        child.standardOutput = FileHandle.nullDevice
        child.standardError = FileHandle.nullDevice
        child.standardInput = FileHandle.nullDevice
        try child.run()
        defer { if child.isRunning { kill(child.processIdentifier, SIGKILL) } }

        var folder = ""
        let deadline = Date().addingTimeInterval(120)
        while folder.isEmpty, child.isRunning, Date() < deadline {
            usleep(50_000)
            folder = (try? String(contentsOfFile: ready, encoding: .utf8)) ?? ""
        }
        try #require(!folder.isEmpty, "the child did not start its throwaway services")
        let postgresPID = try #require(pid(in: "\(folder)/pg/data/postmaster.pid"))
        let redisPID = try #require(pid(in: "\(folder)/redis/redis.pid"))

        kill(child.processIdentifier, SIGKILL)
        child.waitUntilExit()
        #expect(isAlive(postgresPID) && isAlive(redisPID), "the servers outlive their killed owner until reaped")

        let next = try TemporaryServices.start()
        try next.stop()
        #expect(!FileManager.default.fileExists(atPath: folder))
        #expect(waitForExit(postgresPID) && waitForExit(redisPID), "orphaned servers still run")
    }

    private func pid(in file: String) -> Int32? {
        (try? String(contentsOfFile: file, encoding: .utf8))?.split(separator: "\n").first.flatMap { Int32($0) }
    }

    private func isAlive(_ pid: Int32) -> Bool {
        guard kill(pid, 0) == 0,
              let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")")
        else { return false }
        return !stat[close...].hasPrefix(") Z")
    }

    private func waitForExit(_ pid: Int32) -> Bool {
        let deadline = Date().addingTimeInterval(15)
        while isAlive(pid), Date() < deadline { usleep(50_000) }
        return !isAlive(pid)
    }
}

/// Not a test of its own: the child process of `serversOfAKilledOwnerAreStoppedByTheNextStart`, which runs this
/// test binary again with the variable set, so that a separate process owns the throwaway services it kills.
@Suite("Orphan maker (runs only as the reaper test's child)")
struct OrphanMaker {
    static let variable = "STRATA_TEST_ORPHAN_READY_FILE"

    @Test(.enabled(if: ProcessInfo.processInfo.environment[OrphanMaker.variable] != nil))
    func holdThrowawayServicesUntilKilled() throws {
        let file = try #require(ProcessInfo.processInfo.environment[Self.variable])
        let services = try TemporaryServices.start()
        try services.directory.write(toFile: file, atomically: true, encoding: .utf8)
        sleep(600)
    }
}

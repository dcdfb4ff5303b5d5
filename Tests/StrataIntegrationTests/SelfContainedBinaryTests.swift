import Foundation
import StrataEmbedded
import StrataPostgres
import StrataTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The `strata` binary copied out of the build folder runs on its own: its registry migrations are
/// compiled in, not read from a resource bundle beside the build products.
@Suite("A copied strata binary is self-contained", .enabled(if: TestServices.enabled))
struct SelfContainedBinaryTests {
    /// Runs the copy at `binary` with `arguments`. On Linux the build folder is hidden from it by a
    /// private mount namespace with an empty tmpfs over it, as on a machine that never built Strata.
    ///
    /// The copy was just written, and a child another test forks at that moment inherits the open file until it
    /// execs: the kernel then refuses to run the copy ("Text file busy", exit 126) for a moment, so that is retried.
    static func run(_ binary: String, hiding buildFolder: String, _ arguments: [String]) throws -> StrataCLI.Outcome {
        var outcome = try runOnce(binary, hiding: buildFolder, arguments)
        for _ in 0..<20 where outcome.status == 126 && outcome.stderr.lowercased().contains("text file busy") {
            usleep(100_000)
            outcome = try runOnce(binary, hiding: buildFolder, arguments)
        }
        return outcome
    }

    private static func runOnce(_ binary: String, hiding buildFolder: String, _ arguments: [String]) throws -> StrataCLI.Outcome {
        let process = Process()
        #if os(Linux)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/unshare")
        let namespace = geteuid() == 0 ? ["--mount"] : ["--mount", "--map-current-user"]
        process.arguments = namespace + [
            "--", "/bin/sh", "-c", #"mount -t tmpfs tmpfs "$0" && exec "$@""#, buildFolder, binary,
        ] + arguments
        #else
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        #endif
        process.environment = ProcessInfo.processInfo.environment.merging(
            ["STRATA_POSTGRES_URL": "", "STRATA_REDIS_URL": "", "SWIFT_BACKTRACE": "enable=no"]) { _, new in new }
        process.currentDirectoryURL = URL(fileURLWithPath: binary).deletingLastPathComponent()
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return StrataCLI.Outcome(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self))
    }

    @Test func upApplyAndTrainingSetRunFromACopy() throws {
        let folder = "/tmp/strata-copy-test-\(UUID().uuidString.prefix(8))"
        let state = "\(folder)/.strata"
        try FileManager.default.createDirectory(atPath: "\(folder)/schemas", withIntermediateDirectories: true)
        defer {
            _ = try? LocalServices.down(directory: state)
            try? FileManager.default.removeItem(atPath: folder)
        }
        let built = try StrataCLI.executable().resolvingSymlinksInPath()
        let binary = "\(folder)/strata"
        try FileManager.default.copyItem(atPath: built.path, toPath: binary)
        let buildFolder = built.deletingLastPathComponent().path

        let up = try Self.run(binary, hiding: buildFolder, ["up", "--state-dir", state])
        #expect(up.status == 0, "\(up.stderr)")
        let services = try #require(try LocalServices.status(directory: state))
        try PostgresConnection(url: services.postgres.url).executeScript(
            """
            CREATE TABLE trips (driver_id bigint, ts timestamptz, fare double precision);
            INSERT INTO trips VALUES (7, '2026-01-01 10:00+00', 12.5), (7, '2026-01-01 12:00+00', 20.0);
            """)
        try """
            project: copy
            entities: [{ name: driver, join_key: driver_id, type: int64 }]
            sources: [{ name: trips, table: trips, timestamp: ts }]
            feature_views:
              - { name: trips, entities: [driver], source: trips, ttl: 1d, features: [{ name: fare, type: float64 }] }
            """.write(toFile: "\(folder)/schemas/copy.yaml", atomically: true, encoding: .utf8)
        try "driver_id,event_timestamp\n7,2026-01-01T11:00:00Z\n".write(toFile: "\(folder)/spine.csv", atomically: true, encoding: .utf8)

        let apply = try Self.run(binary, hiding: buildFolder, ["apply", "\(folder)/schemas", "--state-dir", state])
        #expect(apply.status == 0, "\(apply.stderr)")
        let set = try Self.run(
            binary, hiding: buildFolder,
            ["training-set", "--features", "trips:fare", "--spine", "\(folder)/spine.csv", "--output", "\(folder)/set.csv",
             "--state-dir", state])
        #expect(set.status == 0, "\(set.stderr)")
        #expect(try String(contentsOfFile: "\(folder)/set.csv", encoding: .utf8)
            == "driver_id,event_timestamp,trips__fare\n7,2026-01-01T11:00:00Z,12.5\n")
    }
}

import Foundation
import StrataEmbedded
import StrataTestSupport
import Testing

@Suite("Output order when stdout and stderr share a file", .enabled(if: TestServices.enabled))
struct OutputOrderTests {
    /// `strata demo > log 2>&1`: each step's heading (stdout, buffered) comes before the progress of the
    /// step (stderr, unbuffered), as on a terminal.
    @Test func headingsComeBeforeTheirStepsProgress() throws {
        let folder = "/tmp/strata-order-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer {
            _ = try? LocalServices.down(directory: "\(folder)/.strata")
            try? FileManager.default.removeItem(atPath: folder)
        }
        let log = "\(folder)/log"
        FileManager.default.createFile(atPath: log, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        let process = Process()
        process.executableURL = try StrataCLI.executable()
        process.arguments = ["demo", "--drivers", "2", "--days", "1"]
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        process.environment = ProcessInfo.processInfo.environment.merging(["STRATA_POSTGRES_URL": "", "STRATA_REDIS_URL": ""]) { _, new in new }
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        process.waitUntilExit()
        try handle.close()
        let text = try String(contentsOfFile: log, encoding: .utf8)
        #expect(process.terminationStatus == 0, "\(text)")
        let lines = text.split(separator: "\n").map(String.init)
        let heading = try #require(lines.firstIndex { $0.hasPrefix("==> Loading sample data") }, "\(text)")
        let progress = try #require(lines.firstIndex { $0.hasPrefix("  driver_hourly_stats: ") }, "\(text)")
        #expect(heading < progress, "\(text)")
        let starting = try #require(lines.firstIndex { $0.hasPrefix("==> Starting the embedded services") }, "\(text)")
        #expect(starting == 0, "\(text)")
    }
}

import Foundation
import StrataTestSupport
import Testing

/// A headless Chromium, found on PATH.
enum HeadlessBrowser {
    static let executable: String? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for folder in path.split(separator: ":") {
            for name in ["chromium", "chromium-browser", "google-chrome"] {
                let candidate = "\(folder)/\(name)"
                if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            }
        }
        return nil
    }()

    /// Whether the browser test runs: with a browser, and always under CI=true (where .ci/run
    /// installs Chromium), so that a missing browser fails there instead of skipping.
    static var enabled: Bool { executable != nil || ProcessInfo.processInfo.environment["CI"] == "true" }

    /// The DOM after the page's scripts ran (`--dump-dom`).
    static func dumpDOM(_ file: URL) throws -> String {
        guard let executable else { throw BrowserMissing() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = [
            "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
            "--user-data-dir=\(file.deletingLastPathComponent().appendingPathComponent("chromium-profile").path)",
            "--dump-dom", file.absoluteString,
        ]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let dom = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: dom, as: UTF8.self)
    }
}

struct BrowserMissing: Error, CustomStringConvertible {
    var description: String { "no chromium on PATH (apt-get install -y chromium)" }
}

@Suite("The drift report in a real browser", .enabled(if: HeadlessBrowser.enabled))
struct DriftReportBrowserTests {
    @Test func theReportRendersSortedByDriftWithAChartPerColumn() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("strata-report-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var rng = SeededGenerator(seed: 5)
        func rows(shift: Double, cities: UInt64) -> String {
            "amount,city,note <&>,empty\n" + (0..<1_500).map { _ in
                "\(10 + shift + rng.normal()),c\(rng.next() % cities),\(rng.next() % 3),"
            }.joined(separator: "\n")
        }
        try rows(shift: 0, cities: 4).write(to: folder.appendingPathComponent("ref.csv"), atomically: true, encoding: .utf8)
        try rows(shift: 0.02, cities: 6).write(to: folder.appendingPathComponent("cur.csv"), atomically: true, encoding: .utf8)
        let page = folder.appendingPathComponent("report.html")
        let outcome = try StrataCLI.run([
            "drift", "--reference", folder.appendingPathComponent("ref.csv").path, "--current", folder.appendingPathComponent("cur.csv").path,
            "--report", page.path,
        ])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let html = try String(contentsOf: page, encoding: .utf8)
        #expect(!html.contains("http://") && !html.contains("https://") && !html.contains("src="))

        let dom = try HeadlessBrowser.dumpDOM(page)
        #expect(dom.contains("data-sorted=\"drift\""), "the sorting script did not run")
        let cards = dom.components(separatedBy: "<article class=\"card sortable\"").dropFirst()
        #expect(cards.count == 4)
        #expect(cards.first?.contains("data-name=\"city\"") == true, "the drifted column comes first")
        #expect(cards.last?.contains("data-name=\"empty\"") == false)
        #expect(dom.components(separatedBy: "<svg class=\"histogram\"").count - 1 == 3)
        #expect(dom.contains("note &lt;&amp;&gt;") && !dom.contains("note <&>"))
        #expect(dom.contains("No values in either window."))
    }
}

import ArgumentParser
import Foundation
import StrataColumnar
import StrataOnline
import StrataRedis
import StrataRegistry

/// `strata materialize --start T --end T [--views a,b]`: the latest values of a window into Redis.
struct MaterializeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "materialize",
        abstract: "Write, per online feature view and entity, the latest row whose event time lies in [--start, --end] to Redis.",
        discussion: """
            Values in Redis are never replaced by older ones. An --end after the time of the run is clamped \
            to it (and the output says so), so a watermark never passes the time of the run. The views' \
            watermarks move forward to the end only after every write succeeded, so \
            `materialize-incremental` continues from there. Exit 3 when Redis restarts or loses data during \
            the run; the watermarks then stay where they were.
            """)

    @Option(name: .long, help: ArgumentHelp("Start of the window (inclusive), ISO-8601 UTC.", valueName: "time"))
    var start: String

    @OptionGroup var options: MaterializeOptions

    func validate() throws {
        _ = try OnlineCommandSupport.time(start, option: "--start")
    }

    func run() throws {
        let start = try OnlineCommandSupport.time(start, option: "--start")
        try options.run { materializer, project, views, end in
            try materializer.materialize(
                project: project, views: views, start: start, end: end, progress: OnlineCommandSupport.progress)
        }
    }
}

/// The options `materialize` and `materialize-incremental` share, and the run around them.
struct MaterializeOptions: ParsableArguments {
    @OptionGroup var connection: ConnectionOptions

    @OptionGroup var progress: ProgressOptions

    @Option(name: .long, help: ArgumentHelp("End of the window (inclusive), ISO-8601 UTC.", valueName: "time"))
    var end: String

    @Option(name: .long, help: ArgumentHelp("Only these feature views (comma-separated; default: every online view).", valueName: "views"))
    var views: String?

    @Option(name: .long, help: "The project (default: the only registered project).")
    var project: String?

    @Option(name: .customLong("batch-rows"), help: .hidden)
    var batchRows: Int = 16_384

    func validate() throws {
        _ = try OnlineCommandSupport.time(end, option: "--end")
        guard batchRows > 0 else { throw ValidationError("--batch-rows must be positive") }
    }

    /// Opens the registry and Redis, runs `body`, and prints its report.
    func run(_ body: (Materializer, String, [String]?, Int64) throws -> Materializer.Report) throws {
        progress.apply()
        let registry = try connection.openRegistry()
        let project = try registry.resolveProject(project)
        let materializer = Materializer(registry: registry, redis: try OnlineCommandSupport.redis(connection))
        materializer.batchRows = batchRows
        materializer.waiting = { Terminal.printError("\($0).") }
        let names = views.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
        let end = try OnlineCommandSupport.time(end, option: "--end")
        let report = try body(materializer, project, names, end)
        Terminal.endProgress()
        OnlineCommandSupport.print(report)
    }
}

/// Helpers shared by the online-store commands.
enum OnlineCommandSupport {
    /// Parses an ISO-8601 time given to `option`.
    static func time(_ text: String, option: String) throws -> Int64 {
        guard let micros = UTCTimestamp.parse(text) else {
            throw CLIError(.badInput, "\(option) '\(text)' is not an ISO-8601 time (e.g. 2026-01-31T12:00:00Z)")
        }
        return micros
    }

    /// The wall clock in µs since the Unix epoch.
    static func now() -> Int64 { Int64((Date().timeIntervalSince1970 * 1e6).rounded()) }

    /// A client of the configured Redis server or cluster.
    static func redis(_ connection: ConnectionOptions) throws -> any RedisClient {
        try RedisEndpoint(try connection.redisURL()).connect(timeout: .seconds(30))
    }

    /// A progress line: view, entities and rate.
    static func progress(_ view: String, _ entities: Int, _ seconds: Double) {
        let rate = seconds > 0 ? Int(Double(entities) / seconds) : 0
        Terminal.progress("\(view): \(entities) entities, \(rate) entities/s")
    }

    /// The run's report: the clamped end, stale keys deleted first, one line per view materialised or
    /// skipped; Redis's losses also as warnings on stderr.
    static func print(_ report: Materializer.Report) {
        if report.isClamped {
            Swift.print(
                "--end \(UTCTimestamp.format(report.requestedEnd)) is after the time of this run: materialised up to \(UTCTimestamp.format(report.end)) instead, so that no watermark passes the present.")
        }
        for cleaned in report.cleaned {
            Swift.print("Deleted \(cleaned.keys) stale online keys of feature view \(cleaned.view) (left by apply).")
        }
        if report.views.isEmpty && report.skipped.isEmpty { Swift.print("Nothing to materialise: no online feature views.") }
        for view in report.views {
            if let loss = view.redisLoss {
                let consequence = view.start == nil
                    ? "re-materialised feature view \(view.view) from the beginning"
                    : "this window starts at \(UTCTimestamp.format(view.start ?? 0)), so older values are still missing: the next materialize-incremental re-materialises feature view \(view.view) from the beginning"
                Terminal.printError("warning: \(loss); \(consequence)")
            }
            let window = "[\(view.start.map(UTCTimestamp.format) ?? "beginning"), \(UTCTimestamp.format(view.end))]"
            let rate = view.seconds > 0 ? Int(Double(view.entities) / view.seconds) : 0
            let rebuilt = view.redisLoss != nil && view.start == nil ? " (re-materialised: Redis had lost it)" : ""
            Swift.print(
                "\(view.view): \(view.entities) entities in \(window)\(rebuilt), \(view.written) written (the rest were older than Redis's or already expired), \(String(format: "%.2f", view.seconds)) s, \(rate) entities/s")
        }
        for skipped in report.skipped {
            Swift.print("\(skipped.view): skipped: \(skipped.reason).")
        }
    }
}

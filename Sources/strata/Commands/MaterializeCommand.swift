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
            Values in Redis are never replaced by older ones. The views' watermarks move forward to --end only \
            after every write succeeded, so `materialize-incremental` continues from there.
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

    /// Opens the registry and Redis, runs `body`, and prints its reports.
    func run(_ body: (Materializer, String, [String]?, Int64) throws -> [Materializer.ViewReport]) throws {
        let registry = try connection.openRegistry()
        let project = try registry.resolveProject(project)
        let materializer = Materializer(registry: registry, redis: try OnlineCommandSupport.redis(connection))
        materializer.batchRows = batchRows
        let names = views.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
        let end = try OnlineCommandSupport.time(end, option: "--end")
        let reports = try OnlineCommandSupport.reportingRestarts { try body(materializer, project, names, end) }
        Terminal.endProgress()
        OnlineCommandSupport.print(reports)
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

    /// Runs a materialisation, reporting a Redis restart as an unreachable service (exit 3).
    static func reportingRestarts<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as OnlineError where error.code == .redisRestarted {
            throw CLIError(.unreachable, error.description)
        }
    }

    /// A Redis connection to the configured server.
    static func redis(_ connection: ConnectionOptions) throws -> RedisConnection {
        try RedisConnection(url: RedisURL(try connection.redisURL()), timeout: .seconds(30))
    }

    /// A progress line: view, entities and rate.
    static func progress(_ view: String, _ entities: Int, _ seconds: Double) {
        let rate = seconds > 0 ? Int(Double(entities) / seconds) : 0
        Terminal.progress("\(view): \(entities) entities, \(rate) entities/s")
    }

    /// One line per view of a run.
    static func print(_ reports: [Materializer.ViewReport]) {
        if reports.isEmpty { Swift.print("Nothing to materialise: every view is up to date.") }
        for report in reports {
            let window = "[\(report.start.map(UTCTimestamp.format) ?? "beginning"), \(UTCTimestamp.format(report.end))]"
            let rate = report.seconds > 0 ? Int(Double(report.entities) / report.seconds) : 0
            Swift.print(
                "\(report.view): \(report.entities) entities in \(window), \(report.written) written (the rest were older than Redis's or already expired), \(String(format: "%.2f", report.seconds)) s, \(rate) entities/s")
        }
    }
}

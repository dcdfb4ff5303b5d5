import ArgumentParser
import Foundation
import StrataOnline

/// `strata materialize-incremental --end T`: continues each online view from its watermark.
struct MaterializeIncrementalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "materialize-incremental",
        abstract: "Materialise each online feature view from its watermark (the beginning of time on the first run) to --end.",
        discussion: """
            The watermarks advance only after every write of the run succeeded; a failed or killed run leaves \
            them where they were, and running again converges to the same state.
            """)

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

    func run() throws {
        let registry = try connection.openRegistry()
        let project = try OnlineCommandSupport.project(project, registry: registry)
        let materializer = Materializer(registry: registry, redis: try OnlineCommandSupport.redis(connection))
        materializer.batchRows = batchRows
        let names = views.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
        let reports = try OnlineCommandSupport.reportingRestarts {
            try materializer.materializeIncremental(
            project: project, views: names, end: try OnlineCommandSupport.time(end, option: "--end"),
            progress: OnlineCommandSupport.progress)
        }
        Terminal.endProgress()
        OnlineCommandSupport.print(reports)
    }
}

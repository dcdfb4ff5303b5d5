import ArgumentParser
import Foundation
import StrataOffline
import StrataOnline

/// `strata push VIEW FILE.csv [--offline]`: rows straight into the online store.
struct PushCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "push",
        abstract: "Write rows of a CSV file to the online store (newer wins); with --offline also append them to the view's source table.",
        discussion: """
            The header names the view's join keys, its source's event-timestamp column (or event_timestamp), \
            optionally the created-timestamp column (default: now) and every feature. An empty field is null. \
            Every row is checked first: a malformed row is reported with its line number and nothing is written. \
            With --offline the rows are appended to the source table and committed first (one transaction), \
            then written online. When Redis fails the exit code is 3 and the message says what each store \
            holds; writing the same rows online again is always safe, because newer values win. A push waits \
            for an apply that changes the view's layout (and such an apply for the push); when the apply \
            changed the view after the rows were checked, nothing is written (exit 2).
            """)

    @OptionGroup var connection: ConnectionOptions

    @OptionGroup var progress: ProgressOptions

    @Argument(help: "The feature view.")
    var view: String

    @Argument(help: ArgumentHelp("The CSV file.", valueName: "file.csv"))
    var file: String

    @Flag(name: .long, help: "Also append the rows to the view's source table, committed (one transaction) before the online writes.")
    var offline = false

    @Option(name: .long, help: "The project (default: the only registered project).")
    var project: String?

    func run() throws {
        progress.apply()
        let registry = try connection.openRegistry()
        let project = try registry.resolveProject(project)
        let onlineView = try OnlineView(named: view, in: try registry.repository(project: project))
        let push = OnlinePush(view: onlineView)
        let summary = try push.write(
            file: try CSVReader(path: file), registry: registry, redis: try OnlineCommandSupport.redis(connection), offline: offline,
            now: OnlineCommandSupport.now(), progress: { pass, rows in Terminal.progress("\(view): \(rows) rows \(pass.rawValue)") },
            waiting: { Terminal.printError("\($0).") })
        Terminal.endProgress()
        print("\(view): \(summary.rows) rows pushed, \(summary.written) written online (the rest were older than Redis's or already expired)\(offline ? ", appended to \(onlineView.source.table)" : "").")
    }
}

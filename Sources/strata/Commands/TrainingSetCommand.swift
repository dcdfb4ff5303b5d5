import ArgumentParser
import Foundation
import StrataCore
import StrataOffline
import StrataRegistry

/// `strata training-set`: a point-in-time-correct training set, to CSV or a table, optionally saved.
struct TrainingSetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "training-set",
        abstract: "Build a point-in-time-correct training set from PostgreSQL, or fetch a saved one.",
        discussion: """
            The spine has the join key of every entity involved and an event_timestamp column; its other columns \
            (labels, ids) pass through unchanged. Output: the spine's columns, then one column view__feature per \
            feature, one row per spine row in spine order. For each spine row and view, the view's latest row at or \
            before the spine time (and within the view's ttl) is taken whole; among equal event times, the latest \
            created time wins, then the row with the greatest values (docs/point-in-time.md), so a set rebuilds exactly.

            Examples:
              strata training-set --service driver_ranking --spine spine.csv --output train.csv
              strata training-set --features driver_hourly_stats:conv_rate --spine "SELECT ..." --output pg:train --save v1
              strata training-set --saved v1 --output again.csv
            """)

    @OptionGroup var selection: FeatureOptions

    @Option(name: .long, help: ArgumentHelp("The spine: a table, a \"SELECT ...\" query, or a CSV file.", valueName: "table|query|file.csv"))
    var spine: String?

    @Option(name: .long, help: ArgumentHelp("Where to write: a CSV file or pg:TABLE (a new table).", valueName: "file.csv|pg:table"))
    var output: String

    @Option(name: .long, help: ArgumentHelp("Also save the set and its lineage under this name; the output and the saved set are written all or nothing.", valueName: "name"))
    var save: String?

    @Option(name: .long, help: ArgumentHelp("Fetch the saved set of this name instead of building one (a model's training set is MODEL@vN).", valueName: "name"))
    var saved: String?

    @Option(name: .long, help: "The project (default: the only registered project).")
    var project: String?

    @Option(name: .long, help: ArgumentHelp("Join strategy: automatic, extraction, sort-merge or lateral.", valueName: "strategy"))
    var strategy: String = JoinStrategy.automatic.rawValue

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Connections that read each view for the extraction strategies: a count, or auto (from the source's size and the server's max_parallel_workers). The result is the same.",
            valueName: "n|auto"))
    var parallel: String = Parallelism.automatic.description

    @Flag(name: .long, help: "Print the lineage as JSON on stdout.")
    var json = false

    @OptionGroup var connection: ConnectionOptions

    @OptionGroup var progress: ProgressOptions

    func validate() throws {
        if saved != nil {
            guard selection.isEmpty, spine == nil, save == nil else {
                throw ValidationError("--saved fetches a saved set: it takes no --service, --features, --spine or --save")
            }
            return
        }
        guard !selection.isEmpty else { throw ValidationError("name the features with exactly one of --service and --features") }
        guard spine != nil else { throw ValidationError("--spine is required (a table, a SELECT query or a CSV file)") }
        guard JoinStrategy(rawValue: strategy) != nil else {
            throw ValidationError("--strategy must be one of: \(JoinStrategy.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard Parallelism(argument: parallel) != nil else {
            throw ValidationError("--parallel must be auto or a count from 1 to \(Parallelism.maximum), got '\(parallel)'")
        }
    }

    func run() throws {
        progress.apply()
        let destination = try TrainingSetOutput(argument: output)
        let registry = try connection.openRegistry()
        let started = Date()
        let set: TrainingSet
        if let saved {
            set = try SavedTrainingSets(registry: registry).load(name: saved, project: project)
        } else {
            if let save { try SavedTrainingSets(registry: registry).checkAvailable(name: save, project: try registry.resolveProject(project)) }
            let request = TrainingSetRequest(features: try selection.requested(), spine: SpineSource(argument: spine!), project: project)
            let builder = TrainingSetBuilder(
                registry: registry, strategy: JoinStrategy(rawValue: strategy)!, parallelism: Parallelism(argument: parallel)!)
            set = try builder.build(request) { view, rows in
                let seconds = max(Date().timeIntervalSince(started), 0.001)
                Terminal.progress("\(view): \(rows) rows read (\(Int(Double(rows) / seconds)) rows/s)")
            }
            Terminal.endProgress()
        }
        try destination.write(set, savingAs: save, registry: registry)
        let seconds = Date().timeIntervalSince(started)
        if json {
            print(try JSONOutput.encode(set.lineage))
        } else {
            let savedNote = save.map { "; saved as \($0)" } ?? ""
            Terminal.printError(
                "wrote \(set.frame.rowCount) rows × \(set.frame.columnCount) columns to \(destination) in \(String(format: "%.2f", seconds)) s\(savedNote)")
        }
    }
}

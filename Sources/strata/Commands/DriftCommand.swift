import ArgumentParser
import Foundation
import StrataCore
import StrataMonitoring
import StrataOffline
import StrataPostgres
import StrataRegistry

/// `strata drift`: tests each feature's reference distribution against its current one, with the
/// tests, thresholds and dataset rule of Evidently 0.7.23's `DataDriftPreset`.
struct DriftCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drift",
        abstract: "Test features for drift between a reference and a current window (Evidently's tests).",
        discussion: """
            Inputs (--reference, --current): saved:NAME (a saved training set), window:FROM..TO (the features' source rows with event time in [FROM, TO), ISO-8601), served:FROM..TO (the values `strata serve --log-sample` logged for requests served in [FROM, TO): per feature, the requests that asked for it, null unless PRESENT), a "SELECT ..." query, or a .csv file (columns view__feature or the bare feature name). With two queries or CSV files, --service/--features may be left out: every column both share is tested, typed from PostgreSQL's types or, for CSV, as pandas reads them.

            Each column is numerical or categorical (integers with at most 10 distinct current values, bools and text are categorical). The test follows Evidently: references of at most 1,000 values get KS (numbers with more than 5 distinct values), chi-square (more than 2) or the Z-test; larger references get the normed Wasserstein distance (numbers with more than 5 distinct values) or Jensen-Shannon. A schema feature's drift: {method, threshold} overrides that, and --method/--threshold override both. A column with no values in a window is reported no_data. The dataset drifted when at least --drift-share of the tested columns drifted.

            Exit codes: 0 no dataset drift, 1 dataset drift, 2 bad input, 3 a service unreachable.

            Examples:
              strata drift --service driver_ranking --reference saved:eta_v1 --current window:2026-01-24T00:00:00Z..2026-01-31T00:00:00Z
              strata drift --reference "SELECT * FROM rides_jan" --current "SELECT * FROM rides_feb" --json --report drift.html
              strata drift --service driver_ranking --reference saved:eta_v1 --current served:2026-02-01T00:00:00Z..2026-02-02T00:00:00Z
              strata drift --reference old.csv --current new.csv --method psi --threshold 0.2
              strata drift --history --service driver_ranking
            """)

    @OptionGroup var selection: FeatureOptions

    @Option(name: .long, help: ArgumentHelp("The reference window.", valueName: "saved:NAME|window:FROM..TO|served:FROM..TO|query|file.csv"))
    var reference: String?

    @Option(name: .long, help: ArgumentHelp("The current window.", valueName: "saved:NAME|window:FROM..TO|served:FROM..TO|query|file.csv"))
    var current: String?

    @Option(name: .long, help: ArgumentHelp(
        "The test for every column: \(DriftMethod.allCases.map(\.rawValue).joined(separator: ", ")) or auto.", valueName: "method"))
    var method: String?

    @Option(name: .long, help: ArgumentHelp("The drift threshold for every column (a p-value for ks, chisquare and z).", valueName: "t"))
    var threshold: Double?

    @Option(name: .customLong("drift-share"), help: ArgumentHelp("The share of drifted columns at which the dataset drifted.", valueName: "s"))
    var driftShare: Double = 0.5

    @Flag(name: .long, help: "Print the result as JSON on stdout.")
    var json = false

    @Option(name: .long, help: ArgumentHelp("Also write a self-contained HTML report.", valueName: "file.html"))
    var report: String?

    @Option(name: .long, help: ArgumentHelp("Save the run, with each column's profiles, under this name.", valueName: "name"))
    var save: String?

    @Flag(name: .long, help: "List the saved runs (of --service when given) instead of running a check.")
    var history = false

    @Option(name: .long, help: "The project (default: the only registered project).")
    var project: String?

    @OptionGroup var connection: ConnectionOptions

    @OptionGroup var progress: ProgressOptions

    func validate() throws {
        try selection.validate()
        if history {
            guard reference == nil, current == nil, selection.features == nil, save == nil, report == nil else {
                throw ValidationError("--history lists saved runs: it takes only --service, --project and --json")
            }
            return
        }
        guard reference != nil, current != nil else {
            throw ValidationError("--reference and --current are both required (or --history to list saved runs)")
        }
        if let method, method != "auto", DriftMethod(rawValue: method) == nil {
            throw ValidationError("--method '\(method)' is not a drift method; expected one of: \(DriftMethod.allCases.map(\.rawValue).joined(separator: ", ")), auto")
        }
        if let threshold, !(threshold.isFinite && threshold > 0) {
            throw ValidationError("--threshold \(threshold) must be a positive number")
        }
        guard driftShare > 0, driftShare <= 1 else {
            throw ValidationError("--drift-share \(driftShare) must be in (0, 1]")
        }
        if let report, !report.lowercased().hasSuffix(".html") {
            throw ValidationError("--report \(report): expected a file name ending in .html")
        }
    }

    func run() throws {
        progress.apply()
        if history {
            try listHistory()
            return
        }
        let request = DriftRequest(
            features: selection.isEmpty ? nil : try selection.requested(),
            reference: try DriftInput(argument: reference ?? "", role: "reference"),
            current: try DriftInput(argument: current ?? "", role: "current"), project: project,
            method: method.flatMap(DriftMethod.init(rawValue:)), threshold: threshold, driftShare: driftShare, save: save)
        let monitor: DriftMonitor
        if request.needsPostgres {
            let url = try connection.postgresURL()
            monitor = DriftMonitor(
                registry: try Registry(connection: try PostgresConnection(url: url)),
                openConnection: { try PostgresConnection(url: url) })
        } else {
            monitor = DriftMonitor(registry: nil, openConnection: nil)
        }
        Terminal.progress("reading both windows...")
        let run = try monitor.run(request)
        Terminal.endProgress()
        if let path = report {
            try PartialFile.write(Array(HTMLReport.render(run.report).utf8), to: path)
        }
        if json {
            print(try JSONOutput.encode(run.report))
        } else {
            print(Self.table(run.report))
        }
        var notes: [String] = []
        if !run.report.skipped.isEmpty { notes.append("not tested (timestamps): \(run.report.skipped.joined(separator: ", "))") }
        notes.append(
            "read the reference in \(String(format: "%.2f", run.readSeconds.reference)) s and the current window in \(String(format: "%.2f", run.readSeconds.current)) s; tested in \(String(format: "%.3f", run.testSeconds)) s")
        if let path = report { notes.append("report written to \(path)") }
        if let id = run.savedID { notes.append("saved as run \(id) (\(save ?? ""))") }
        Terminal.printError(notes.joined(separator: "\n"))
        if run.report.datasetDrifted { throw ExitCode(CLIError.Code.finding.rawValue) }
    }

    private func listHistory() throws {
        let registry = try connection.openRegistry()
        let runs = try DriftHistory(registry: registry).runs(project: project, service: selection.service)
        if json {
            print(try JSONOutput.encode(runs))
            return
        }
        guard !runs.isEmpty else {
            Terminal.printError("no saved drift runs\(selection.service.map { " for service \($0)" } ?? ""); save one with strata drift ... --save NAME")
            return
        }
        var rows = [["id", "saved at", "name", "service", "reference", "current", "drifted", "share", "dataset"]]
        for run in runs {
            rows.append([
                String(run.id), run.createdAt, run.name, run.service ?? "-", Self.shorten(run.reference), Self.shorten(run.current),
                "\(run.driftedColumns)/\(run.testedColumns)", String(format: "%.2f", run.share), run.datasetDrifted ? "DRIFT" : "ok",
            ])
        }
        print(Self.align(rows))
    }

    /// The readable result: one line per column, then the dataset's verdict.
    static func table(_ report: DriftReport) -> String {
        var rows = [["column", "type", "test", "statistic", "threshold", "verdict"]]
        for column in report.columns {
            rows.append([
                column.name, column.type.rawValue, column.test?.rawValue ?? "-",
                column.statistic.map { HTMLReport.format($0) } ?? "-", column.threshold.map { HTMLReport.format($0) } ?? "-",
                column.status == .noData ? "no data" : (column.drifted ? "DRIFT" : "ok"),
            ])
        }
        let tested = report.columns.filter { $0.status == .tested }.count
        return """
            reference: \(shorten(report.reference.source)) (\(report.reference.rows) rows)
            current:   \(shorten(report.current.source)) (\(report.current.rows) rows)

            \(align(rows))

            \(report.driftedColumns) of \(tested) tested columns drifted (share \(String(format: "%.2f", report.share))): \(report.datasetDrifted ? "dataset drift detected" : "no dataset drift")
            """
    }

    static func shorten(_ text: String) -> String {
        let flat = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        return flat.count > 60 ? String(flat.prefix(57)) + "..." : flat
    }

    static func align(_ rows: [[String]]) -> String {
        let widths = (0..<rows[0].count).map { c in rows.map { $0[c].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n")
    }
}

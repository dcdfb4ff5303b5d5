import ArgumentParser
import Foundation
import StrataMonitoring

/// `strata skew`: replays the point-in-time join for the served-feature log's (entity, time) pairs
/// and reports, per feature, the served values that differ from the offline ones.
struct SkewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "skew",
        abstract: "Compare served feature values with the offline point-in-time values (training/serving skew).",
        discussion: """
            Reads the served-feature log of `strata serve --log-sample R` (table strata_served_features) for requests served in [FROM, TO), replays the offline point-in-time join (the training-set builder's) with each logged entity and its as_of time as the spine, and compares, per feature, every served value with the offline value at that instant.

            A value differs when both sides hold one and they are not equal after the same type conversion: both sides read the same stored values, so floats compare exactly (NaN equals NaN). A value is missing on the served side when offline finds one but the server answered null, NOT_FOUND or OUTSIDE_MAX_AGE, and missing offline when the server answered a value but offline finds none. No value on either side is agreement (e.g. OUTSIDE_MAX_AGE served, null offline because of the ttl).

            Exit codes: 0 no skew, 1 skew found (a feature's disagreeing share above --max-share), 2 bad input, 3 a service unreachable.

            Examples:
              strata skew --service driver_ranking --served 2026-02-01T00:00:00Z..2026-02-02T00:00:00Z
              strata skew --features driver_hourly_stats:conv_rate --served 2026-02-01..2026-02-08 --json --examples 20
            """)

    @OptionGroup var selection: FeatureOptions

    @Option(name: .long, help: ArgumentHelp("The served-feature log window: requests served in [FROM, TO), ISO-8601.", valueName: "FROM..TO"))
    var served: String

    @Flag(name: .long, help: "Print the result as JSON on stdout.")
    var json = false

    @Option(name: .long, help: ArgumentHelp("The most disagreeing rows shown per feature.", valueName: "n"))
    var examples = 5

    @Option(name: .customLong("max-share"), help: ArgumentHelp(
        "The share of disagreeing rows a feature may have without counting as skewed.", valueName: "s"))
    var maxShare = 0.0

    @Option(name: .long, help: "The project (default: the only registered project).")
    var project: String?

    @OptionGroup var connection: ConnectionOptions

    @OptionGroup var progress: ProgressOptions

    func validate() throws {
        try selection.validate()
        guard !selection.isEmpty else { throw ValidationError("name the features to compare with --service or --features") }
        guard examples >= 0 else { throw ValidationError("--examples \(examples) must be 0 or more") }
        guard maxShare >= 0 && maxShare < 1 else { throw ValidationError("--max-share \(maxShare) must be in [0, 1)") }
    }

    func run() throws {
        progress.apply()
        let window = served.lowercased().hasPrefix("served:") ? String(served.dropFirst("served:".count)) : served
        let (from, to) = try DriftInput.timeRange(
            window, argument: "--served '\(served)'", example: "2026-02-01T00:00:00Z..2026-02-02T00:00:00Z")
        let request = SkewRequest(
            features: try selection.requested(), from: from, to: to, project: project, examples: examples, maxShare: maxShare)
        let registry = try connection.openRegistry()
        Terminal.progress("reading the served-feature log...")
        let report = try SkewMonitor(registry: registry).run(request) { view, rows in
            Terminal.progress("replaying \(view): \(rows) source rows read")
        }
        Terminal.endProgress()
        print(json ? try JSONOutput.encode(report) : Self.table(report))
        if report.served.rows == 0 {
            Terminal.printError("no request in the served-feature log of project \(report.project) asked for these features in \(report.served.source); is `strata serve --log-sample` on?")
        }
        if report.skewFound { throw ExitCode(CLIError.Code.finding.rawValue) }
    }

    /// The readable result: one line per feature, then each skewed feature's examples and the verdict.
    static func table(_ report: SkewReport) -> String {
        func percent(_ count: Int, _ feature: FeatureSkew) -> String {
            guard let share = feature.share(count) else { return "-" }
            return "\(count) (\(String(format: "%.2f", share * 100))%)"
        }
        var rows = [["feature", "type", "rows", "equal", "differ", "missing served", "missing offline", "verdict"]]
        for feature in report.features {
            rows.append([
                feature.name, feature.type.rawValue, String(feature.rows), String(feature.equal), percent(feature.differ, feature),
                percent(feature.missingServed, feature), percent(feature.missingOffline, feature),
                feature.rows == 0 ? "not served" : feature.skewed ? "SKEW" : "ok",
            ])
        }
        var lines = [
            "\(report.served.source): \(report.served.rows) logged rows asked for these features (project \(report.project)\(report.service.map { ", service \($0)" } ?? ""))",
            "",
            DriftCommand.align(rows),
        ]
        for feature in report.features where !feature.examples.isEmpty {
            lines += ["", "\(feature.name): \(feature.disagreeing) of \(feature.rows) served values disagree"]
            for example in feature.examples {
                let entity = example.entities.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
                lines.append(
                    "  \(example.kind.rawValue.replacingOccurrences(of: "_", with: " ")): \(entity) at \(example.asOf) "
                        + "(request \(example.requestID) row \(example.rowIndex)): served \(example.served) (\(example.servedStatus)), offline \(example.offline)")
            }
        }
        let allowed = String(format: "%.2f", report.maxShare * 100) + "%"
        let verdict =
            if report.skewFound {
                "skew found in \(report.skewedFeatures) of \(report.features.count) features"
                    + (report.maxShare > 0 ? " (more than \(allowed) of their served values disagree)" : "")
            } else if report.features.allSatisfy({ $0.disagreeing == 0 }) {
                "no skew: every served value equals the offline point-in-time value"
            } else {
                "no skew above --max-share \(allowed)"
            }
        lines += ["", verdict]
        return lines.joined(separator: "\n")
    }
}

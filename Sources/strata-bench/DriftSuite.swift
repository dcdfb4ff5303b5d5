import Foundation
import StrataColumnar
import StrataMonitoring
import StrataPostgres
import StrataRegistry

/// `drift`: `strata drift` (the release binary, JSON out) on a 1M × 20 float8 reference against a
/// 1M × 20 current table, beside the floor of merely copying both tables out by binary COPY; the
/// statistics alone on the columns in memory; a mixed 11-column set of 200k against 250k rows; and
/// Evidently 0.7.23's `DataDriftPreset` and scipy's `ks_2samp` on the same data when a Python with
/// them is found (`STRATA_BENCH_PYTHON`, default `python3`), with the largest relative difference
/// between Strata's statistics and theirs.
enum DriftSuite {
    static let columns = 20
    static let rows = 1_000_000
    static let mixedReferenceRows = 200_000
    static let mixedCurrentRows = 250_000

    /// The figures the issue measured on this machine, printed (never used in a ratio) when no
    /// Python peer runs.
    static let referenceFigures = "Evidently 0.7.23: 70 s (1M × 20), 3.3 s (mixed); scipy ks_2samp over 20 columns: 2.3 s"

    static func run(_ arguments: [String]) throws {
        let runs = arguments.firstIndex(of: "--runs").flatMap { Int(arguments[$0 + 1]) } ?? 3
        let skipPeers = arguments.contains("--no-peers")
        let servers = try BenchServers()
        defer { servers.stop() }
        let db = try PostgresConnection(url: servers.postgresURL)
        let strata = ChildProcess.binaryFolder + "/strata"
        guard FileManager.default.isExecutableFile(atPath: strata) else {
            throw BenchError("\(strata) is missing: build it first with `swift build -c release`")
        }

        print("drift: generating \(rows) × \(columns) float8 rows twice and the mixed \(mixedReferenceRows) / \(mixedCurrentRows) × 11 set…")
        let reference = numericColumns(seed: 1, shifted: false)
        let current = numericColumns(seed: 2, shifted: true)
        let mixedReference = mixedColumns(seed: 3, rows: mixedReferenceRows, shifted: false)
        let mixedCurrent = mixedColumns(seed: 4, rows: mixedCurrentRows, shifted: true)
        let names = (0..<columns).map { "c\($0)" }
        let loadSeconds = try Measure.seconds {
            try load(db, table: "drift_bench_ref", names: names, columns: reference, sqlTypes: Array(repeating: "double precision", count: columns))
            try load(db, table: "drift_bench_cur", names: names, columns: current, sqlTypes: Array(repeating: "double precision", count: columns))
            try load(db, table: "drift_bench_mixed_ref", names: mixedNames, columns: mixedReference, sqlTypes: mixedSQLTypes)
            try load(db, table: "drift_bench_mixed_cur", names: mixedNames, columns: mixedCurrent, sqlTypes: mixedSQLTypes)
            try db.executeScript("VACUUM (FREEZE, ANALYZE) drift_bench_ref, drift_bench_cur, drift_bench_mixed_ref, drift_bench_mixed_cur")
        }
        print("  loaded in \(fmt(loadSeconds, 1)) s")

        // The floor: both tables out by binary COPY to nowhere, one after the other.
        var floors: [Double] = []
        var stratas: [Double] = []
        var mixedRuns: [Double] = []
        func cli(_ referenceQuery: String, _ currentQuery: String) throws -> Double {
            let outcome = try ChildProcess.run(
                strata, ["drift", "--reference", referenceQuery, "--current", currentQuery, "--json"],
                environment: ["STRATA_POSTGRES_URL": servers.postgresURL])
            guard outcome.status == 0 || outcome.status == 1 else { throw BenchError("strata drift exited \(outcome.status)") }
            return outcome.seconds
        }
        for _ in 0..<runs {
            floors.append(try Measure.seconds {
                for table in ["drift_bench_ref", "drift_bench_cur"] {
                    try db.copyOutRaw("COPY \(table) TO STDOUT (FORMAT binary)") { _ in }
                }
            })
            stratas.append(try cli("SELECT * FROM drift_bench_ref", "SELECT * FROM drift_bench_cur"))
        }
        for _ in 0..<max(runs, 5) {
            mixedRuns.append(try cli("SELECT * FROM drift_bench_mixed_ref", "SELECT * FROM drift_bench_mixed_cur"))
        }

        // The statistics alone, on the columns in memory, and the report whose values the peers check.
        let driftColumns = names.indices.map { DriftColumn(name: names[$0], reference: reference[$0], current: current[$0]) }
        var report: DriftReport?
        var statsCPU: [Double] = []
        let statsSeconds = Measure.median(try (0..<runs).map { _ in
            let cpuBefore = processCPUSeconds()
            let wall = try Measure.seconds {
                report = try DriftAnalysis.run(
                    driftColumns, reference: .init(source: "reference", rows: rows), current: .init(source: "current", rows: rows))
            }
            statsCPU.append(processCPUSeconds() - cpuBefore)
            return wall
        })
        let mixedReport = try DriftAnalysis.run(
            mixedNames.indices.map { DriftColumn(name: mixedNames[$0], reference: mixedReference[$0], current: mixedCurrent[$0]) },
            reference: .init(source: "reference", rows: mixedReferenceRows), current: .init(source: "current", rows: mixedCurrentRows))
        let ksPValues = try (0..<columns).map { c in
            try DriftAnalysis.run(
                [DriftColumn(name: names[c], reference: reference[c], current: current[c], method: .ks)],
                reference: .init(source: "reference", rows: rows), current: .init(source: "current", rows: rows)
            ).columns.first?.statistic ?? .nan
        }

        let floor = Measure.median(floors)
        let seconds = Measure.median(stratas)
        let mixedSeconds = Measure.median(mixedRuns)
        var peers: Peers?
        if !skipPeers, let python = try TrainingSuite.findPython(modules: "evidently, scipy, pandas, numpy") {
            peers = try runPeers(
                python: python, reference: reference, current: current, mixedReference: mixedReference, mixedCurrent: mixedCurrent)
        }

        var table = ResultTable("measure", "Strata", "baseline", "ratio")
        table.add("1M × 20 vs 1M × 20 end to end s (strata drift --json)", fmt(seconds), fmt(floor) + " (binary COPY of both)", fmt(seconds / floor, 3))
        table.add("  statistics of 20 columns s (in memory)", fmt(statsSeconds, 3), "", "")
        table.add("  their CPU time s (both cores; what a busy machine cannot steal)", fmt(Measure.median(statsCPU), 3), "", "")
        table.add("mixed 11 columns, 200k vs 250k, end to end s", fmt(mixedSeconds, 3), "", "")
        var maxDifference = Double.nan
        var ratioEvidently = Double.nan
        if let peers {
            ratioEvidently = peers.evidentlySeconds / seconds
            table.add("1M × 20: Evidently DataDriftPreset s", "", fmt(peers.evidentlySeconds), fmt(ratioEvidently, 1) + "x faster")
            table.add("1M × 20: scipy ks_2samp over 20 columns s", fmt(statsSeconds, 3), fmt(peers.ksSeconds), fmt(peers.ksSeconds / statsSeconds, 1) + "x faster")
            table.add("mixed: Evidently DataDriftPreset s", "", fmt(peers.mixedEvidentlySeconds, 2), fmt(peers.mixedEvidentlySeconds / mixedSeconds, 1) + "x faster")
            var differences: [Double] = []
            for column in report?.columns ?? [] { differences.append(relativeDifference(column.statistic, peers.statistics[column.name] ?? .nan)) }
            for column in mixedReport.columns { differences.append(relativeDifference(column.statistic, peers.mixedStatistics[column.name] ?? .nan)) }
            for (ours, theirs) in zip(ksPValues, peers.ksPValues) { differences.append(relativeDifference(ours, theirs)) }
            maxDifference = differences.max() ?? .nan
            table.add("largest relative difference from Evidently / scipy (\(differences.count) statistics)", fmt(maxDifference, 17), "", "")
        } else {
            print("drift: peers not measured (no Python with evidently, scipy, pandas and numpy; set STRATA_BENCH_PYTHON). Reference figures, not measured here: \(referenceFigures)")
        }
        print(table.render())
        if let report {
            let drifted = report.columns.filter(\.drifted).map(\.name)
            print("drift: 1M set: \(report.columns.first?.test?.rawValue ?? "?") on every column; drifted: \(drifted.joined(separator: " "))")
        }
        print("drift: mixed set tests: " + mixedReport.columns.map { "\($0.name)=\($0.test?.rawValue ?? "-")" }.joined(separator: " "))
        print("drift: seconds_1m=\(fmt(seconds, 3)) copy_floor_1m=\(fmt(floor, 3)) stats_seconds_1m=\(fmt(statsSeconds, 3)) ratio_evidently=\(fmt(ratioEvidently, 1)) mixed_seconds=\(fmt(mixedSeconds, 3)) max_rel_diff_scipy=\(maxDifference.isNaN ? "nan" : String(format: "%.2e", maxDifference))")
    }

    /// User and system CPU seconds of this process so far.
    static func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    static func relativeDifference(_ a: Double?, _ b: Double) -> Double {
        guard let a else { return .infinity }
        if a == b { return 0 }
        return abs(a - b) / max(abs(a), abs(b))
    }

    // MARK: Data

    /// 20 float8 columns: normal, log-normal, uniform and rounded shapes; in the current window the
    /// first four move by 0.02 to 0.2 standard deviations and the fifth widens; c19 has 2% nulls.
    static func numericColumns(seed: UInt64, shifted: Bool) -> [Column] {
        var out = [Column](repeating: Column.empty(.float64), count: columns)
        out.withUnsafeMutableBufferPointer { slots in
            let shared = UncheckedSendable(slots)
            DispatchQueue.concurrentPerform(iterations: columns) { c in
                var rng = SplitMix64(seed: seed &* 1_000_003 &+ UInt64(c))
                let shift = shifted && c < 4 ? [0.02, 0.05, 0.1, 0.2][c] : 0
                let scale = shifted && c == 4 ? 1.3 : 1
                var values = [Double](repeating: 0, count: rows)
                for i in 0..<rows {
                    let z = rng.normal()
                    switch c % 4 {
                    case 0: values[i] = shift + scale * z
                    case 1: values[i] = exp(0.5 * (shift + scale * z))
                    case 2: values[i] = shift + scale * rng.unit() * 10
                    default: values[i] = ((shift + scale * z) * 100).rounded() / 100
                    }
                }
                if c == columns - 1 {
                    var validity = Bitmap(count: rows, repeating: true)
                    for i in 0..<rows where rng.chance(0.02) { validity[i] = false }
                    shared.value[c] = Column(float64: values, validity: validity)
                } else {
                    shared.value[c] = Column(float64: values)
                }
            }
        }
        return out
    }

    static let mixedNames = ["amount", "rate", "score", "latency", "ratio", "rating", "trips", "city", "device", "vip", "age"]
    static let mixedSQLTypes = [
        "double precision", "double precision", "double precision", "double precision", "double precision", "bigint", "bigint",
        "text", "text", "boolean", "integer",
    ]

    /// Five float8 (one with 5% nulls), a 5-valued bigint (categorical), a 1,000-valued bigint, two
    /// text columns (8 and 40 categories), a bool and an int4; the current window moves some.
    static func mixedColumns(seed: UInt64, rows: Int, shifted: Bool) -> [Column] {
        var rng = SplitMix64(seed: seed)
        let delta = shifted ? 0.1 : 0
        var amount = [Double](), rate = [Double?](), score = [Double](), latency = [Double](), ratio = [Double]()
        var rating = [Int64](), trips = [Int64](), city = [String](), device = [String](), vip = [Bool](), age = [Int32]()
        for _ in 0..<rows {
            amount.append(50 + 10 * (rng.normal() + delta))
            rate.append(rng.chance(0.05) ? nil : rng.unit())
            score.append(rng.normal())
            latency.append(exp(rng.normal() * 0.3 + (shifted ? 0.05 : 0)))
            ratio.append((rng.unit() * 100).rounded() / 100)
            rating.append(1 + Int64(rng.next() % 5))
            trips.append(Int64(rng.next() % 1000))
            city.append("city\(min(rng.next() % (shifted ? 9 : 8), rng.next() % 8))")
            device.append("dev\(rng.next() % 40)")
            vip.append(rng.chance(shifted ? 0.22 : 0.2))
            age.append(18 + Int32(rng.next() % 60))
        }
        return [
            Column(float64: amount), Column(float64: rate), Column(float64: score), Column(float64: latency), Column(float64: ratio),
            Column(int64: rating), Column(int64: trips), Column(string: city), Column(string: device), Column(bool: vip),
            Column(int32: age),
        ]
    }

    static func load(_ db: PostgresConnection, table: String, names: [String], columns: [Column], sqlTypes: [String]) throws {
        let definitions = zip(names, sqlTypes).map { "\($0) \($1)" }.joined(separator: ", ")
        try db.executeScript("DROP TABLE IF EXISTS \(table); CREATE TABLE \(table) (\(definitions))")
        try db.copyIn(table: table, columnNames: names, columns: columns)
    }

    // MARK: Peers

    struct Peers {
        var evidentlySeconds: Double
        var ksSeconds: Double
        var mixedEvidentlySeconds: Double
        /// Evidently's drift score by column.
        var statistics: [String: Double]
        var mixedStatistics: [String: Double]
        var ksPValues: [Double]
    }

    static func runPeers(python: String, reference: [Column], current: [Column], mixedReference: [Column], mixedCurrent: [Column]) throws -> Peers {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("strata-bench-drift-\(getpid())")
        let scratch = try BenchCleanup.shared.temporaryFolder(folder.path)
        defer { BenchCleanup.shared.finish(scratch) }
        for (name, set) in [("ref.bin", reference), ("cur.bin", current)] {
            var data = Data()
            for column in set {
                let values = (0..<column.count).map { column.float64(at: $0) ?? .nan }
                values.withUnsafeBytes { data.append(contentsOf: $0) }
            }
            try data.write(to: folder.appendingPathComponent(name))
        }
        try csv(mixedReference).write(to: folder.appendingPathComponent("mixed_ref.csv"), atomically: true, encoding: .utf8)
        try csv(mixedCurrent).write(to: folder.appendingPathComponent("mixed_cur.csv"), atomically: true, encoding: .utf8)
        let script = folder.appendingPathComponent("peers.py")
        try Data(peerScript.utf8).write(to: script)
        print("drift: running Evidently and scipy on the same data (Evidently takes about a minute on the 1M set)…")
        let (status, output) = try TrainingSuite.runProcess(python, [script.path, folder.path, String(columns), String(rows)], quiet: false)
        guard status == 0, let line = output.split(separator: "\n").last(where: { $0.hasPrefix("{") }),
              let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        else { throw BenchError("the Python peers failed (exit \(status)):\n\(output)") }
        func numbers(_ key: String) -> [Double] { (object[key] as? [Any] ?? []).map { ($0 as? Double) ?? ($0 as? Int).map(Double.init) ?? .nan } }
        func byColumn(_ key: String) -> [String: Double] {
            (object[key] as? [String: Any] ?? [:]).mapValues { ($0 as? Double) ?? ($0 as? Int).map(Double.init) ?? .nan }
        }
        func number(_ key: String) -> Double { (object[key] as? Double) ?? .nan }
        return Peers(
            evidentlySeconds: number("evidently_seconds"), ksSeconds: number("ks_seconds"),
            mixedEvidentlySeconds: number("mixed_evidently_seconds"), statistics: byColumn("statistics"),
            mixedStatistics: byColumn("mixed_statistics"), ksPValues: numbers("ks_pvalues"))
    }

    /// The mixed set as CSV, as pandas reads it back with the same types.
    static func csv(_ columns: [Column]) -> String {
        var lines = [mixedNames.joined(separator: ",")]
        let count = columns[0].count
        lines.reserveCapacity(count + 1)
        for row in 0..<count {
            lines.append(columns.map { column -> String in
                if column.isNull(row) { return "" }
                switch column.storage {
                case .float64(let v): return "\(v[row])"
                case .int64(let v): return "\(v[row])"
                case .int32(let v): return "\(v[row])"
                case .bool(let v): return v[row] ? "True" : "False"
                default: return column.string(at: row) ?? ""
                }
            }.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Times Evidently's DataDriftPreset on both sets and scipy's ks_2samp over the 20 columns, and
    /// prints their statistics as one JSON line.
    static let peerScript = #"""
    import json, sys, time, warnings
    warnings.simplefilter("ignore")
    import numpy as np, pandas as pd, scipy
    from scipy import stats
    import evidently
    from evidently import Report
    from evidently.presets import DataDriftPreset

    folder, columns, rows = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    def frame(name):
        data = np.fromfile(folder + "/" + name, dtype=np.float64).reshape(columns, rows)
        return pd.DataFrame({"c%d" % c: data[c] for c in range(columns)})
    ref, cur = frame("ref.bin"), frame("cur.bin")

    def drift_values(report):
        return {m["config"]["column"]: float(m["value"]) for m in report.dict()["metrics"]
                if m["config"]["type"] == "evidently:metric_v2:ValueDrift"}

    start = time.perf_counter()
    report = Report([DataDriftPreset()]).run(cur, ref)
    statistics = drift_values(report)
    evidently_seconds = time.perf_counter() - start

    start = time.perf_counter()
    ks = [stats.ks_2samp(ref[c].dropna(), cur[c].dropna()).pvalue for c in ref.columns]
    ks_seconds = time.perf_counter() - start

    mixed_ref = pd.read_csv(folder + "/mixed_ref.csv")
    mixed_cur = pd.read_csv(folder + "/mixed_cur.csv")
    times = []
    for _ in range(3):
        start = time.perf_counter()
        mixed = drift_values(Report([DataDriftPreset()]).run(mixed_cur, mixed_ref))
        times.append(time.perf_counter() - start)

    print(json.dumps(dict(
        evidently_seconds=evidently_seconds, ks_seconds=ks_seconds, mixed_evidently_seconds=float(np.median(times)),
        statistics=statistics, mixed_statistics=mixed, ks_pvalues=[float(p) for p in ks],
        versions="Evidently %s, scipy %s, pandas %s" % (evidently.__version__, scipy.__version__, pd.__version__))))
    """#
}


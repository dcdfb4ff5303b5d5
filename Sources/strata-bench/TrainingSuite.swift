import Foundation
import StrataColumnar
import StrataTraining

/// `training`: Strata's GBDT and logistic regression beside LightGBM and scikit-learn on the same
/// synthetic data, single-row predict latency, and the sum and histogram kernels beside NumPy.
///
/// The peers run in the same process tree, one after the other, when a Python with lightgbm,
/// scikit-learn and numpy is found (`STRATA_BENCH_PYTHON`, default `python3`); the data reach it as
/// a raw float64 file. Without it, the issue's reference figures stand in, labelled as such.
enum TrainingSuite {
    static let features = 50
    static let kernelValues = 100_000_000

    struct Options {
        var rows = 1_000_000
        var threads = 2
        var repeats = 3
        var labelSeeds: [UInt64] = [0]
        var logisticOnly = false
    }

    static let usage = "--rows N, --threads N, --repeat N, --labels SEED[,SEED...] (0 = the suite's own label) or --logistic-only"

    static func parse(_ arguments: [String]) throws -> Options {
        var options = Options()
        var iterator = arguments.makeIterator()
        func number(_ name: String) throws -> Int {
            guard let text = iterator.next(), let value = Int(text), value > 0 else {
                throw TrainingBenchError("\(name) expects a positive whole number; options: \(usage)")
            }
            return value
        }
        while let argument = iterator.next() {
            switch argument {
            case "--rows": options.rows = max(10, try number(argument))
            case "--threads": options.threads = try number(argument)
            case "--repeat": options.repeats = try number(argument)
            case "--logistic-only": options.logisticOnly = true
            case "--labels":
                let seeds = (iterator.next() ?? "").split(separator: ",").map { UInt64($0) }
                guard !seeds.isEmpty, seeds.allSatisfy({ $0 != nil }) else {
                    throw TrainingBenchError("--labels expects seeds such as 0,1,2; options: \(usage)")
                }
                options.labelSeeds = seeds.compactMap { $0 }
            default: throw TrainingBenchError("unknown option \(argument); options: \(usage)")
            }
        }
        return options
    }

    static func run(_ arguments: [String]) throws {
        let options = try parse(arguments)
        if options.logisticOnly || options.labelSeeds.count > 1 {
            try runLogistic(options)
        } else {
            try runAll(options, label: LabelFunction(seed: options.labelSeeds[0], features: features))
        }
    }

    /// The peers' Python, or nil (and a note saying so) when it lacks a package.
    static func peerPython() throws -> String? {
        if let python = try findPython() { return python }
        print("training: peers skipped: no Python with lightgbm, scikit-learn and numpy (set STRATA_BENCH_PYTHON); figures from elsewhere are printed as references, never in a ratio")
        return nil
    }

    static func describe(_ options: Options, _ label: LabelFunction, trainRows: Int) -> String {
        "\(options.rows) rows × \(features) standard-normal float64 features, \(label); first \(trainRows) train, last \(options.rows - trainRows) test; \(options.threads) threads on both sides"
    }

    /// Strata's fits of `algorithm` (data preparation included), `repeats` times: each fit's seconds
    /// and the last model.
    static func strataFits(_ train: Frame, _ algorithm: Algorithm, _ parameters: TrainingParameters, repeats: Int) throws -> ([Double], Model) {
        var model: Model?
        let times = try (0..<repeats).map { _ in
            try Measure.seconds {
                let data = try TrainingData(frame: train, label: "label")
                model = try Trainer.fit(data, algorithm: algorithm, parameters: parameters)
            }
        }
        return (times, model!)
    }

    /// `logistic`: Strata's logistic regression beside scikit-learn's lbfgs for each label seed, best
    /// of `repeats` fits on each side, and the spread of the ratios over the seeds.
    static func runLogistic(_ options: Options) throws {
        let trainRows = options.rows * 4 / 5
        let python = try peerPython()
        let (folder, scratch) = try scratchFolder()
        defer { BenchCleanup.shared.finish(scratch) }
        var table = ResultTable(
            "label", "Strata best s", "sklearn best s", "best ratio", "median ratio", "first-fit ratio", "Strata AUC", "sklearn AUC",
            "sklearn iterations")
        var ratios: [Double] = []
        var deltas: [Double] = []
        for seed in options.labelSeeds {
            let label = LabelFunction(seed: seed, features: features)
            print("training (logistic): \(describe(options, label, trainRows: trainRows))")
            let (train, test, all) = makeData(rows: options.rows, trainRows: trainRows, label: label)
            let (times, model) = try strataFits(
                train, .logistic, try TrainingParameters(["num_threads=\(options.threads)"]), repeats: options.repeats)
            let auc = Metrics.auc(labels: test["label"]!.float64Values, scores: try model.predict(test, threads: options.threads)) ?? .nan
            guard let python else {
                table.add("\(seed)", fmt(times.min()!), "", "", "", "", fmt(auc, 4), "", "")
                continue
            }
            try writeData(all, to: folder.appendingPathComponent("data.bin"))
            let peer = try runPeers(python: python, folder: folder, mode: "logistic", options: options, trainRows: trainRows, checkRows: 0)
            let peerTimes = try peer.times("logistic_seconds")
            let ratio = times.min()! / peerTimes.min()!
            let peerAUC = try peer.number("logistic_auc")
            ratios.append(ratio)
            deltas.append(auc - peerAUC)
            table.add(
                "\(seed)", fmt(times.min()!), fmt(peerTimes.min()!), fmt(ratio, 3),
                fmt(Measure.median(times) / Measure.median(peerTimes), 3), fmt(times[0] / peerTimes[0], 3), fmt(auc, 4), fmt(peerAUC, 4),
                "\(Int(try peer.number("logistic_iterations")))")
        }
        print(table.render())
        guard !ratios.isEmpty else { return }
        let sorted = ratios.sorted()
        print("training (logistic, \(ratios.count) labels): logistic_time_ratio_median=\(fmt(Measure.median(ratios), 3)) logistic_time_ratio_min=\(fmt(sorted.first!, 3)) logistic_time_ratio_max=\(fmt(sorted.last!, 3)) logistic_auc_delta_min=\(fmt(deltas.min()!, 4)) logistic_auc_delta_max=\(fmt(deltas.max()!, 4))")
    }

    /// Every measurement of the suite on one label.
    static func runAll(_ options: Options, label: LabelFunction) throws {
        let rows = options.rows
        let threads = options.threads
        let trainRows = rows * 4 / 5
        print("training: \(describe(options, label, trainRows: trainRows)); each training time is the best and the median of \(options.repeats) fit(s) on each side")
        let (train, test, all) = makeData(rows: rows, trainRows: trainRows, label: label)
        let positives = all.labels[0..<trainRows].reduce(0, +) / Double(trainRows)
        print("training: \(fmt(positives * 100, 1))% positives in the training rows")
        let testLabels = test["label"]!.float64Values

        let gbdtParameters = try TrainingParameters([
            "num_iterations=100", "num_leaves=31", "learning_rate=0.1", "num_threads=\(threads)", "seed=0",
        ])
        let (gbdtTimes, gbdt) = try strataFits(train, .gbdt, gbdtParameters, repeats: options.repeats)
        let gbdtPredictions = try gbdt.predict(test, threads: threads)
        let gbdtAUC = Metrics.auc(labels: testLabels, scores: gbdtPredictions) ?? .nan

        let (logisticTimes, logistic) = try strataFits(
            train, .logistic, try TrainingParameters(["num_threads=\(threads)"]), repeats: options.repeats)
        let logisticAUC = Metrics.auc(labels: testLabels, scores: try logistic.predict(test, threads: threads)) ?? .nan

        let predictMicros = singleRowMicros(gbdt, all, firstRow: trainRows)
        let kernels = try KernelsSuite.measureInChildren(threads: threads)

        let (folder, scratch) = try scratchFolder()
        defer { BenchCleanup.shared.finish(scratch) }
        let checkRows = min(20_000, rows - trainRows)
        let modelPath = folder.appendingPathComponent("model.txt")
        try Data(gbdt.lightGBMText().utf8).write(to: modelPath)
        try writeDoubles(Array(gbdtPredictions[0..<checkRows]), to: folder.appendingPathComponent("strata_pred.bin"))

        var table = ResultTable("measure", "Strata", "peer, same run", "Strata / peer")
        var summary: [String] = []
        func timeRows(_ name: String, _ strata: [Double], _ peer: [Double]?, key: String) {
            let ratio = peer.map { strata.min()! / $0.min()! }
            table.add("\(name) train s, best of \(strata.count)", fmt(strata.min()!), peer.map { fmt($0.min()!) } ?? "not run", ratio.map { fmt($0, 3) } ?? "")
            table.add("\(name) train s, median", fmt(Measure.median(strata)), peer.map { fmt(Measure.median($0)) } ?? "", peer.map { fmt(Measure.median(strata) / Measure.median($0), 3) } ?? "")
            summary.append("\(key)_time_ratio=\(ratio.map { fmt($0, 3) } ?? "nan")")
        }
        let python = try peerPython()
        let peer = try python.map { python in
            try writeData(all, to: folder.appendingPathComponent("data.bin"))
            return try runPeers(python: python, folder: folder, mode: "all", options: options, trainRows: trainRows, checkRows: checkRows)
        }
        timeRows("GBDT (100 trees, 31 leaves, lr 0.1; LightGBM)", gbdtTimes, try peer?.times("gbdt_seconds"), key: "gbdt")
        let peerGBDTAUC = try peer?.number("gbdt_auc")
        table.add("GBDT test AUC", fmt(gbdtAUC, 4), peerGBDTAUC.map { fmt($0, 4) } ?? "", peerGBDTAUC.map { "Δ " + fmt(gbdtAUC - $0, 4) } ?? "")
        summary.append("gbdt_auc_delta=\(peerGBDTAUC.map { fmt(gbdtAUC - $0, 4) } ?? "nan")")
        timeRows("logistic (L-BFGS; scikit-learn lbfgs, max_iter=100)", logisticTimes, try peer?.times("logistic_seconds"), key: "logistic")
        let peerLogisticAUC = try peer?.number("logistic_auc")
        table.add("logistic test AUC", fmt(logisticAUC, 4), peerLogisticAUC.map { fmt($0, 4) } ?? "", peerLogisticAUC.map { "Δ " + fmt(logisticAUC - $0, 4) } ?? "")
        summary.append("logistic_auc_delta=\(peerLogisticAUC.map { fmt(logisticAUC - $0, 4) } ?? "nan")")

        let lightGBMPredict = python.flatMap { LightGBMLibrary.locate(python: $0) }.map { library in
            try? library.singleRowMicros(modelPath: modelPath.path, data: all, firstRow: trainRows, features: features)
        } ?? nil
        table.add(
            "GBDT single-row predict µs (p50; LightGBM's C single-row fast path)", fmt(predictMicros),
            lightGBMPredict.map { fmt($0) } ?? "not run", lightGBMPredict.map { fmt(predictMicros / $0, 3) } ?? "")
        summary.append("predict_single_us=\(fmt(predictMicros))")
        summary.append("predict_ratio_lightgbm=\(lightGBMPredict.map { fmt(predictMicros / $0, 3) } ?? "nan")")
        for (name, key, strata, numpy) in [
            ("sum of 100M float64 s", "sum", kernels, try peer?.kernelSeconds("sum")),
            ("100-bin histogram of 100M float64 s", "histogram", kernels, try peer?.kernelSeconds("histogram")),
        ] {
            for (cores, strataSeconds, numpySeconds) in [
                ("1 core", key == "sum" ? strata.sumOneCore : strata.histogramOneCore, numpy?.one),
                ("\(threads) threads", key == "sum" ? strata.sumAll : strata.histogramAll, numpy?.all),
            ] {
                let ratio = numpySeconds.map { strataSeconds / $0 }
                table.add("\(name), \(cores) (NumPy)", fmt(strataSeconds, 4), numpySeconds.map { fmt($0, 4) } ?? "not run", ratio.map { fmt($0, 3) } ?? "")
                summary.append("\(key)_ratio_numpy_\(cores.hasPrefix("1") ? "1" : "all")=\(ratio.map { fmt($0, 3) } ?? "nan")")
            }
        }
        if let difference = try peer?.number("export_max_diff") {
            table.add("exported model in lightgbm.Booster: max |Δp| on \(checkRows) test rows", "", fmt(difference, 17), "")
        }
        print(table.render())
        if let peer { print("training: peers \(peer.versions)") }
        print("training: NumPy on \(threads) threads sums (and histograms) \(threads) slices in a thread pool; NumPy itself is single-threaded")
        print("training: reference, not measured here (never in a ratio): the issue's LightGBM 8.6 s and scikit-learn 0.42 s on a similar machine")
        print("training: \(summary.joined(separator: " "))")
    }

    /// A fresh folder for the data the peers read, removed when the suite finishes or is interrupted.
    static func scratchFolder() throws -> (URL, BenchCleanup.Token) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("strata-bench-training-\(getpid())")
        return (folder, try BenchCleanup.shared.temporaryFolder(folder.path))
    }

    // MARK: Data

    struct Dataset {
        /// Row-major features, `rows × features`.
        var values: [Double]
        var labels: [Double]
    }

    /// Standard-normal features and a label cut from `label`'s score plus noise, so that
    /// `label.positives` of the rows are positive. Deterministic for a given label seed.
    static func makeData(rows: Int, trainRows: Int, label: LabelFunction) -> (train: Frame, test: Frame, all: Dataset) {
        var columns = [[Double]](repeating: [], count: features)
        columns.withUnsafeMutableBufferPointer { out in
            let shared = UncheckedSendable(out)
            DispatchQueue.concurrentPerform(iterations: features) { f in
                var rng = SplitMix64(seed: label.featureSeed &+ UInt64(f) &* 0x9e37_79b9)
                shared.value[f] = (0..<rows).map { _ in rng.normal() }
            }
        }
        var noiseRng = SplitMix64(seed: label.seed == 0 ? 99 : label.featureSeed ^ 0x6E6F_6973_65)
        var scores = [Double](repeating: 0, count: rows)
        for i in 0..<rows {
            scores[i] = label.score { columns[$0][i] } + label.noise * noiseRng.normal()
        }
        let cut = scores.sorted()[Int(Double(rows) * (1 - label.positives))]
        let labels = scores.map { $0 >= cut ? 1.0 : 0.0 }
        var values = [Double](repeating: 0, count: rows * features)
        for f in 0..<features {
            for i in 0..<rows { values[i * features + f] = columns[f][i] }
        }
        func frame(_ range: Range<Int>) -> Frame {
            var names = (0..<features).map { "f\($0)" }
            var cols = columns.map { Column(float64: Array($0[range])) }
            names.append("label")
            cols.append(Column(float64: Array(labels[range])))
            return Frame(names: names, columns: cols)
        }
        return (frame(0..<trainRows), frame(trainRows..<rows), Dataset(values: values, labels: labels))
    }

    static func writeData(_ data: Dataset, to url: URL) throws {
        try writeDoubles(data.values + data.labels, to: url)
    }

    static func writeDoubles(_ values: [Double], to url: URL) throws {
        let bytes = values.withUnsafeBytes { Data($0) }
        try bytes.write(to: url)
    }

    // MARK: Measurements

    /// The median over batches of single-row predictions on test rows, in microseconds per row.
    static func singleRowMicros(_ model: Model, _ data: Dataset, firstRow: Int) -> Double {
        let batch = 1_000
        var sink = 0.0
        let samples = data.values.withUnsafeBufferPointer { values in
            Measure.samples(200) {
                for k in 0..<batch {
                    let row = firstRow + (k * 37) % (data.labels.count - firstRow)
                    sink += model.predict(row: UnsafeBufferPointer(rebasing: values[(row * features)..<((row + 1) * features)]))
                }
            }
        }
        if sink.isNaN { print("training: NaN prediction") }
        return Measure.median(samples) / Double(batch) / 1_000
    }

    // MARK: Peers

    /// `STRATA_BENCH_PYTHON` (default `python3`) when it imports `modules`.
    static func findPython(modules: String = "lightgbm, sklearn, numpy") throws -> String? {
        let python = ProcessInfo.processInfo.environment["STRATA_BENCH_PYTHON"] ?? "python3"
        let (status, _) = try runProcess(python, ["-c", "import \(modules)"], quiet: true)
        return status == 0 ? python : nil
    }

    /// What the Python peers reported: one JSON object.
    struct PeerReport {
        let object: [String: Any]

        var versions: String { object["versions"] as? String ?? "python" }

        func number(_ key: String) throws -> Double {
            guard let value = object[key] as? Double ?? (object[key] as? Int).map(Double.init) else {
                throw TrainingBenchError("the Python peers reported no '\(key)'")
            }
            return value
        }

        func times(_ key: String) throws -> [Double] {
            guard let values = object[key] as? [Double], !values.isEmpty else {
                throw TrainingBenchError("the Python peers reported no '\(key)' times")
            }
            return values
        }

        /// The kernel's median seconds on one thread and on all of the run's threads.
        func kernelSeconds(_ kernel: String) throws -> (one: Double, all: Double) {
            (try number("\(kernel)_seconds_1"), try number("\(kernel)_seconds_all"))
        }
    }

    /// Runs the peer script in `mode` (`all` or `logistic`) on the data in `folder`.
    ///
    /// OpenMP threads wait passively unless `OMP_WAIT_POLICY` says otherwise: on a machine shared with
    /// other work, spinning waits made LightGBM three times slower, which would flatter Strata.
    static func runPeers(python: String, folder: URL, mode: String, options: Options, trainRows: Int, checkRows: Int) throws -> PeerReport {
        let script = folder.appendingPathComponent("peers.py")
        try Data(peerScript.utf8).write(to: script)
        let (status, output) = try runProcess(python, [
            script.path, mode, folder.path, String(options.rows), String(features), String(trainRows), String(options.threads),
            String(checkRows), String(KernelsSuite.values), String(options.repeats),
        ], quiet: false, environment: ["OMP_WAIT_POLICY": "passive"])
        guard status == 0, let line = output.split(separator: "\n").last(where: { $0.hasPrefix("{") }),
              let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        else { throw TrainingBenchError("the Python peers failed (exit \(status)):\n\(output)") }
        return PeerReport(object: object)
    }

    /// Runs `program` (looked up on PATH) and returns its exit status and standard output.
    static func runProcess(_ program: String, _ arguments: [String], quiet: Bool, environment: [String: String] = [:]) throws -> (Int32, String) {
        let process = Process()
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { current, _ in current }
        }
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [program] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = quiet ? FileHandle.nullDevice : FileHandle.standardError
        guard let (_, token) = try? BenchCleanup.shared.track({ try process.run() }, as: { .process(process.processIdentifier) })
        else { return (127, "") }
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        BenchCleanup.shared.release(token)
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }

    /// Reads the data Strata wrote, times LightGBM, scikit-learn and NumPy the way Strata is
    /// timed (data preparation included in training), and prints one JSON line.
    static let peerScript = #"""
    import json, sys, time
    from concurrent.futures import ThreadPoolExecutor
    import numpy as np
    import lightgbm as lgb
    import sklearn
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from threadpoolctl import threadpool_limits

    mode, folder = sys.argv[1], sys.argv[2]
    rows, features, train_rows, threads, check_rows, kernel_values, repeats = map(int, sys.argv[3:])
    X = np.fromfile(folder + "/data.bin", dtype=np.float64, count=rows * features).reshape(rows, features)
    y = np.fromfile(folder + "/data.bin", dtype=np.float64, offset=rows * features * 8)
    X_train, y_train, X_test, y_test = X[:train_rows], y[:train_rows], X[train_rows:], y[train_rows:]
    report = dict(versions="LightGBM %s, scikit-learn %s, NumPy %s" % (lgb.__version__, sklearn.__version__, np.__version__))

    with threadpool_limits(limits=threads):
        if mode == "all":
            params = dict(objective="binary", num_leaves=31, learning_rate=0.1, num_threads=threads, seed=0, verbose=-1)
            times = []
            for _ in range(repeats):
                start = time.perf_counter()
                booster = lgb.train(params, lgb.Dataset(X_train, y_train), num_boost_round=100)
                times.append(time.perf_counter() - start)
            report.update(gbdt_seconds=times, gbdt_auc=roc_auc_score(y_test, booster.predict(X_test, num_threads=threads)))
            exported = lgb.Booster(model_file=folder + "/model.txt")
            strata = np.fromfile(folder + "/strata_pred.bin", dtype=np.float64)
            report.update(export_max_diff=float(np.max(np.abs(exported.predict(X_test[:check_rows]) - strata))))

        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            logistic = LogisticRegression(solver="lbfgs", max_iter=100).fit(X_train, y_train)
            times.append(time.perf_counter() - start)
        report.update(
            logistic_seconds=times, logistic_auc=roc_auc_score(y_test, logistic.predict_proba(X_test)[:, 1]),
            logistic_iterations=int(logistic.n_iter_[0]))

        if mode == "all":
            del X, X_train, X_test
            values = np.random.default_rng(1234).standard_normal(kernel_values)
            slices = np.array_split(values, threads)
            pool = ThreadPoolExecutor(threads)
            def timed(body, runs):
                samples = []
                for _ in range(runs):
                    t = time.perf_counter()
                    body()
                    samples.append(time.perf_counter() - t)
                return float(np.median(samples))
            def histogram(part):
                return np.histogram(part, bins=100, range=(-5, 5))[0]
            report.update(
                sum_seconds_1=timed(lambda: values.sum(), 7),
                sum_seconds_all=timed(lambda: sum(pool.map(np.sum, slices)), 7),
                histogram_seconds_1=timed(lambda: histogram(values), 5),
                histogram_seconds_all=timed(lambda: sum(pool.map(histogram, slices)), 5))

    print(json.dumps(report))
    """#
}

struct TrainingBenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}



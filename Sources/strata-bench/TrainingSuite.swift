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
    static let informative = 20
    static let kernelValues = 100_000_000

    /// The issue's figures, measured on a similar 2-core machine, for when no Python peer runs.
    static let reference = Peer(
        gbdtSeconds: 8.6, gbdtAUC: 0.9065, logisticSeconds: 0.42, logisticAUC: 0.779, predictMicros: 15,
        sumSeconds: 0.039, histogramSeconds: nil, exportMaxDifference: nil, versions: "issue 5 reference figures")

    struct Peer {
        var gbdtSeconds: Double
        var gbdtAUC: Double
        var logisticSeconds: Double
        var logisticAUC: Double
        var predictMicros: Double
        var sumSeconds: Double
        var histogramSeconds: Double?
        var exportMaxDifference: Double?
        var versions: String
    }

    static func run(_ arguments: [String]) throws {
        var rows = 1_000_000
        var threads = 2
        var repeats = 3
        var iterator = arguments.makeIterator()
        while let argument = iterator.next() {
            switch argument {
            case "--rows": rows = Int(iterator.next() ?? "") ?? rows
            case "--threads": threads = Int(iterator.next() ?? "") ?? threads
            case "--repeat": repeats = max(1, Int(iterator.next() ?? "") ?? repeats)
            default: throw TrainingBenchError("unknown option \(argument); expected --rows N, --threads N or --repeat N")
            }
        }
        let trainRows = rows * 4 / 5
        print("training: \(rows) rows × \(features) standard-normal float64 features, label from \(informative) of them; first \(trainRows) train, last \(rows - trainRows) test; \(threads) threads; training times are the median of \(repeats) fit(s) on each side")
        let (train, test, all) = makeData(rows: rows, trainRows: trainRows)
        let positives = all.labels[0..<trainRows].reduce(0, +) / Double(trainRows)
        print("training: \(fmt(positives * 100, 1))% positives in the training rows")

        // Strata GBDT.
        let gbdtParameters = try TrainingParameters([
            "num_iterations=100", "num_leaves=31", "learning_rate=0.1", "num_threads=\(threads)", "seed=0",
        ])
        var gbdtModel: Model?
        let gbdtSeconds = Measure.median(try (0..<repeats).map { _ in
            try Measure.seconds {
                let data = try TrainingData(frame: train, label: "label")
                gbdtModel = try Trainer.fit(data, algorithm: .gbdt, parameters: gbdtParameters)
            }
        })
        let gbdt = gbdtModel!
        let testLabels = test["label"]!.float64Values
        let gbdtPredictions = try gbdt.predict(test, threads: threads)
        let gbdtAUC = Metrics.auc(labels: testLabels, scores: gbdtPredictions) ?? .nan

        // Strata logistic regression.
        let logisticParameters = try TrainingParameters(["num_threads=\(threads)"])
        var logisticModel: Model?
        let logisticSeconds = Measure.median(try (0..<repeats).map { _ in
            try Measure.seconds {
                let data = try TrainingData(frame: train, label: "label")
                logisticModel = try Trainer.fit(data, algorithm: .logistic, parameters: logisticParameters)
            }
        })
        let logisticAUC = Metrics.auc(labels: testLabels, scores: try logisticModel!.predict(test, threads: threads)) ?? .nan

        let predictMicros = singleRowMicros(gbdt, all, firstRow: trainRows)
        let (sumSeconds, histogramSeconds) = kernelSeconds()

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("strata-bench-training-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let checkRows = min(20_000, rows - trainRows)
        try Data(gbdt.lightGBMText().utf8).write(to: folder.appendingPathComponent("model.txt"))
        try writeDoubles(Array(gbdtPredictions[0..<checkRows]), to: folder.appendingPathComponent("strata_pred.bin"))

        let peer: Peer
        let measured: Bool
        if let python = try findPython() {
            try writeData(all, to: folder.appendingPathComponent("data.bin"))
            peer = try runPeers(
                python: python, folder: folder, rows: rows, trainRows: trainRows, threads: threads, checkRows: checkRows,
                repeats: repeats)
            measured = true
        } else {
            print("training: peers skipped: no Python with lightgbm, scikit-learn and numpy (set STRATA_BENCH_PYTHON); the peer column holds the issue's reference figures, not measurements")
            peer = reference
            measured = false
        }

        let gbdtRatio = gbdtSeconds / peer.gbdtSeconds
        let logisticRatio = logisticSeconds / peer.logisticSeconds
        let sumRatio = sumSeconds / peer.sumSeconds
        let histogramRatio = peer.histogramSeconds.map { histogramSeconds / $0 }
        let peerLabel = measured ? "peer (\(peer.versions))" : "peer (reference, not measured)"
        var table = ResultTable("measure", "Strata", peerLabel, "Strata / peer")
        table.add("GBDT train s (100 trees, 31 leaves, lr 0.1; LightGBM)", fmt(gbdtSeconds), fmt(peer.gbdtSeconds), fmt(gbdtRatio, 3))
        table.add("GBDT test AUC", fmt(gbdtAUC, 4), fmt(peer.gbdtAUC, 4), "Δ " + fmt(gbdtAUC - peer.gbdtAUC, 4))
        table.add("logistic train s (L-BFGS; scikit-learn)", fmt(logisticSeconds), fmt(peer.logisticSeconds), fmt(logisticRatio, 3))
        table.add("logistic test AUC", fmt(logisticAUC, 4), fmt(peer.logisticAUC, 4), "Δ " + fmt(logisticAUC - peer.logisticAUC, 4))
        table.add("GBDT single-row predict µs (p50)", fmt(predictMicros), fmt(peer.predictMicros), fmt(predictMicros / peer.predictMicros, 3))
        table.add("sum of 100M float64 s (NumPy)", fmt(sumSeconds, 4), fmt(peer.sumSeconds, 4), fmt(sumRatio, 3))
        table.add(
            "100-bin histogram of 100M float64 s (NumPy)", fmt(histogramSeconds, 4),
            peer.histogramSeconds.map { fmt($0, 4) } ?? "n/a", histogramRatio.map { fmt($0, 3) } ?? "n/a")
        if let difference = peer.exportMaxDifference {
            table.add("exported model in lightgbm.Booster: max |Δp| on \(checkRows) test rows", "", fmt(difference, 17), "")
        }
        print(table.render())
        print("training: peer single-row predict is Booster.predict on one row from Python; Strata's is Model.predict(row:)")
        print("training: gbdt_time_ratio=\(fmt(gbdtRatio, 3)) gbdt_auc_delta=\(fmt(gbdtAUC - peer.gbdtAUC, 4)) logistic_time_ratio=\(fmt(logisticRatio, 3)) logistic_auc_delta=\(fmt(logisticAUC - peer.logisticAUC, 4)) predict_single_us=\(fmt(predictMicros)) sum_ratio_numpy=\(fmt(sumRatio, 3)) histogram_ratio_numpy=\(histogramRatio.map { fmt($0, 3) } ?? "nan")")
    }

    // MARK: Data

    struct Dataset {
        /// Row-major features, `rows × features`.
        var values: [Double]
        var labels: [Double]
    }

    /// Standard-normal features and a label from a nonlinear function of the first 20 plus noise,
    /// thresholded so that about 30% of rows are positive. Deterministic.
    static func makeData(rows: Int, trainRows: Int) -> (train: Frame, test: Frame, all: Dataset) {
        var columns = [[Double]](repeating: [], count: features)
        columns.withUnsafeMutableBufferPointer { out in
            let shared = UncheckedSendable(out)
            DispatchQueue.concurrentPerform(iterations: features) { f in
                var rng = SplitMix64(seed: 0x5747_4154 &+ UInt64(f) &* 0x9e37_79b9)
                shared.value[f] = (0..<rows).map { _ in rng.normal() }
            }
        }
        var noiseRng = SplitMix64(seed: 99)
        var scores = [Double](repeating: 0, count: rows)
        for i in 0..<rows {
            func x(_ f: Int) -> Double { columns[f][i] }
            var s = 0.8 * x(0) - 0.6 * x(1) + 0.5 * x(2) * x(3) + sin(1.5 * x(4)) + (x(5) > 0.5 ? 0.7 : 0)
            s += -0.4 * x(6) * x(6) + 0.5 * abs(x(7)) + 0.3 * x(8) * x(9) + 0.6 * tanh(x(10)) - 0.5 * x(11)
            s += (x(12) > 0 && x(13) > 0 ? 0.8 : 0) + 0.4 * x(14) + 0.3 * max(x(15), 0) - 0.3 * x(16)
            s += 0.25 * x(17) * x(18) + (x(19) < -1 ? -0.9 : 0)
            scores[i] = s + 0.8 * noiseRng.normal()
        }
        let cut = scores.sorted()[Int(Double(rows) * 0.7)]
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

    /// Median seconds of Strata's sum and 100-bin histogram over 100M float64 values.
    static func kernelSeconds() -> (sum: Double, histogram: Double) {
        var values = [Double](repeating: 0, count: kernelValues)
        values.withUnsafeMutableBufferPointer { out in
            let shared = UncheckedSendable(out)
            let chunks = 16
            DispatchQueue.concurrentPerform(iterations: chunks) { c in
                var rng = SplitMix64(seed: 1_234 &+ UInt64(c))
                let range = (kernelValues * c / chunks)..<(kernelValues * (c + 1) / chunks)
                for i in range { shared.value[i] = rng.normal() }
            }
        }
        let column = Column(float64: values)
        values = []
        var sink = 0.0
        let sums = Measure.samples(7) { sink += column.relaxedSum() }
        let histograms = Measure.samples(5) { sink += Double(column.histogram(binCount: 100, range: -5...5).counts[50]) }
        if sink.isNaN { print("training: NaN sum") }
        return (Measure.median(sums) / 1e9, Measure.median(histograms) / 1e9)
    }

    // MARK: Peers

    /// `STRATA_BENCH_PYTHON` (default `python3`) when it imports `modules`.
    static func findPython(modules: String = "lightgbm, sklearn, numpy") throws -> String? {
        let python = ProcessInfo.processInfo.environment["STRATA_BENCH_PYTHON"] ?? "python3"
        let (status, _) = try runProcess(python, ["-c", "import \(modules)"], quiet: true)
        return status == 0 ? python : nil
    }

    static func runPeers(
        python: String, folder: URL, rows: Int, trainRows: Int, threads: Int, checkRows: Int, repeats: Int
    ) throws -> Peer {
        let script = folder.appendingPathComponent("peers.py")
        try Data(peerScript.utf8).write(to: script)
        let (status, output) = try runProcess(python, [
            script.path, folder.path, String(rows), String(features), String(trainRows), String(threads), String(checkRows),
            String(kernelValues), String(repeats),
        ], quiet: false)
        guard status == 0, let line = output.split(separator: "\n").last(where: { $0.hasPrefix("{") }),
              let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        else { throw TrainingBenchError("the Python peers failed (exit \(status)):\n\(output)") }
        func number(_ key: String) throws -> Double {
            guard let value = object[key] as? Double ?? (object[key] as? Int).map(Double.init) else {
                throw TrainingBenchError("the Python peers reported no '\(key)'")
            }
            return value
        }
        return Peer(
            gbdtSeconds: try number("gbdt_seconds"), gbdtAUC: try number("gbdt_auc"),
            logisticSeconds: try number("logistic_seconds"), logisticAUC: try number("logistic_auc"),
            predictMicros: try number("predict_us"), sumSeconds: try number("sum_seconds"),
            histogramSeconds: try number("histogram_seconds"), exportMaxDifference: try number("export_max_diff"),
            versions: object["versions"] as? String ?? "python")
    }

    /// Runs `program` (looked up on PATH) and returns its exit status and standard output.
    static func runProcess(_ program: String, _ arguments: [String], quiet: Bool) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [program] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = quiet ? FileHandle.nullDevice : FileHandle.standardError
        do {
            try process.run()
        } catch {
            return (127, "")
        }
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }

    /// Reads the data Strata wrote, times LightGBM, scikit-learn and NumPy the way Strata is
    /// timed (data preparation included in training), and prints one JSON line.
    static let peerScript = #"""
    import json, sys, time
    import numpy as np
    import lightgbm as lgb
    import sklearn
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score

    folder, rows, features, train_rows, threads, check_rows, kernel_values, repeats = sys.argv[1], *map(int, sys.argv[2:])
    X = np.fromfile(folder + "/data.bin", dtype=np.float64, count=rows * features).reshape(rows, features)
    y = np.fromfile(folder + "/data.bin", dtype=np.float64, offset=rows * features * 8)
    X_train, y_train, X_test, y_test = X[:train_rows], y[:train_rows], X[train_rows:], y[train_rows:]

    params = dict(objective="binary", num_leaves=31, learning_rate=0.1, num_threads=threads, seed=0, verbose=-1)
    gbdt_times = []
    for _ in range(repeats):
        start = time.perf_counter()
        booster = lgb.train(params, lgb.Dataset(X_train, y_train), num_boost_round=100)
        gbdt_times.append(time.perf_counter() - start)
    gbdt_seconds = float(np.median(gbdt_times))
    gbdt_auc = roc_auc_score(y_test, booster.predict(X_test, num_threads=threads))

    times = []
    for i in range(2000):
        row = X_test[(i * 37) % len(X_test)].reshape(1, -1)
        t = time.perf_counter()
        booster.predict(row, num_threads=1)
        times.append(time.perf_counter() - t)
    predict_us = float(np.median(times)) * 1e6

    logistic_times = []
    for _ in range(repeats):
        start = time.perf_counter()
        logistic = LogisticRegression(solver="lbfgs", max_iter=100).fit(X_train, y_train)
        logistic_times.append(time.perf_counter() - start)
    logistic_seconds = float(np.median(logistic_times))
    logistic_auc = roc_auc_score(y_test, logistic.predict_proba(X_test)[:, 1])

    exported = lgb.Booster(model_file=folder + "/model.txt")
    strata = np.fromfile(folder + "/strata_pred.bin", dtype=np.float64)
    export_max_diff = float(np.max(np.abs(exported.predict(X_test[:check_rows]) - strata)))

    del X, X_train, X_test
    values = np.random.default_rng(1234).standard_normal(kernel_values)
    sums = []
    for _ in range(7):
        t = time.perf_counter()
        values.sum()
        sums.append(time.perf_counter() - t)
    histograms = []
    for _ in range(5):
        t = time.perf_counter()
        np.histogram(values, bins=100, range=(-5, 5))
        histograms.append(time.perf_counter() - t)

    print(json.dumps(dict(
        gbdt_seconds=gbdt_seconds, gbdt_auc=gbdt_auc, logistic_seconds=logistic_seconds, logistic_auc=logistic_auc,
        predict_us=predict_us, sum_seconds=float(np.median(sums)), histogram_seconds=float(np.median(histograms)),
        export_max_diff=export_max_diff,
        versions="LightGBM %s, scikit-learn %s, NumPy %s" % (lgb.__version__, sklearn.__version__, np.__version__))))
    """#
}

struct TrainingBenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}



import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// LightGBM's own C library, loaded from the peers' Python environment, for a same-run baseline of
/// single-row prediction through its fastest path (`LGBM_BoosterPredictForMatSingleRowFast`, one
/// thread), without Python's call overhead.
struct LightGBMLibrary {
    typealias CreateFromModelfile = @convention(c) (UnsafePointer<CChar>, UnsafeMutablePointer<Int32>, UnsafeMutablePointer<UnsafeMutableRawPointer?>) -> Int32
    typealias FastInit = @convention(c) (UnsafeMutableRawPointer?, Int32, Int32, Int32, Int32, Int32, UnsafePointer<CChar>, UnsafeMutablePointer<UnsafeMutableRawPointer?>) -> Int32
    typealias Fast = @convention(c) (UnsafeMutableRawPointer?, UnsafeRawPointer, UnsafeMutablePointer<Int64>, UnsafeMutablePointer<Double>) -> Int32
    typealias Free = @convention(c) (UnsafeMutableRawPointer?) -> Int32

    let create: CreateFromModelfile
    let fastInit: FastInit
    let fast: Fast
    let freeConfig: Free
    let freeBooster: Free

    /// The library of the `lightgbm` package that `python` imports, or nil when it cannot be loaded.
    static func locate(python: String) -> LightGBMLibrary? {
        guard let (status, output) = try? TrainingSuite.runProcess(
            python, ["-c", "import lightgbm.basic as b; print(b._LIB._name)"], quiet: true), status == 0
        else { return nil }
        let path = output.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else { return nil }
        func symbol<T>(_ name: String, as type: T.Type) -> T? {
            dlsym(handle, name).map { unsafeBitCast($0, to: type) }
        }
        guard let create = symbol("LGBM_BoosterCreateFromModelfile", as: CreateFromModelfile.self),
              let fastInit = symbol("LGBM_BoosterPredictForMatSingleRowFastInit", as: FastInit.self),
              let fast = symbol("LGBM_BoosterPredictForMatSingleRowFast", as: Fast.self),
              let freeConfig = symbol("LGBM_FastConfigFree", as: Free.self),
              let freeBooster = symbol("LGBM_BoosterFree", as: Free.self)
        else { return nil }
        return LightGBMLibrary(create: create, fastInit: fastInit, fast: fast, freeConfig: freeConfig, freeBooster: freeBooster)
    }

    /// The median over batches of single-row predictions of the model on test rows, in microseconds
    /// per row, timed exactly as `TrainingSuite.singleRowMicros` times Strata's.
    func singleRowMicros(modelPath: String, data: TrainingSuite.Dataset, firstRow: Int, features: Int) throws -> Double {
        var booster: UnsafeMutableRawPointer?
        var iterations: Int32 = 0
        guard create(modelPath, &iterations, &booster) == 0 else { throw TrainingBenchError("LightGBM cannot load \(modelPath)") }
        defer { _ = freeBooster(booster) }
        var config: UnsafeMutableRawPointer?
        // predict_type 0 = normal (probability), start 0, all iterations, data type 1 = float64.
        guard fastInit(booster, 0, 0, -1, 1, Int32(features), "num_threads=1", &config) == 0 else {
            throw TrainingBenchError("LightGBM's single-row predictor did not start")
        }
        defer { _ = freeConfig(config) }
        let batch = 1_000
        var sink = 0.0
        var length: Int64 = 0
        var result = 0.0
        let samples = data.values.withUnsafeBufferPointer { values in
            Measure.samples(200) {
                for k in 0..<batch {
                    let row = firstRow + (k * 37) % (data.labels.count - firstRow)
                    _ = fast(config, values.baseAddress! + row * features, &length, &result)
                    sink += result
                }
            }
        }
        if sink.isNaN { print("training: NaN LightGBM prediction") }
        return Measure.median(samples) / Double(batch) / 1_000
    }
}

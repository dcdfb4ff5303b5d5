import Foundation
import StrataColumnar
#if canImport(Glibc)
import Glibc
#endif

/// `kernels`: Strata's `relaxedSum` and 100-bin `histogram` over 100M float64 values, on the cores
/// given by `--cores N` (the process pins itself to its first N CPUs before any thread starts, so the
/// kernels' workers share them). The training suite runs it as a child at 1 core and at its thread
/// count, beside NumPy on one thread and on as many threads.
enum KernelsSuite {
    static let values = 100_000_000

    struct Seconds {
        var sumOneCore: Double
        var sumAll: Double
        var histogramOneCore: Double
        var histogramAll: Double
    }

    static func run(_ arguments: [String]) throws {
        var cores = WorkerPoolSize.online
        if let index = arguments.firstIndex(of: "--cores") {
            guard index + 1 < arguments.count, let value = Int(arguments[index + 1]), value > 0 else {
                throw TrainingBenchError("--cores expects a positive whole number")
            }
            cores = min(value, WorkerPoolSize.online)
            try pin(cores: cores)
        }
        let (sum, histogram) = measure()
        print("kernels: \(values) float64 values on \(cores) core(s): relaxedSum median of 7 \(fmt(sum, 4)) s, histogram(100 bins) median of 5 \(fmt(histogram, 4)) s")
        print("kernels: cores=\(cores) sum_s=\(fmt(sum, 5)) histogram_s=\(fmt(histogram, 5))")
    }

    /// Restricts this process (and the threads it starts later) to CPUs `0..<cores`.
    /// `sched_setaffinity` is a GNU extension that Swift's Glibc module does not export, hence `dlsym`.
    static func pin(cores: Int) throws {
        typealias SetAffinity = @convention(c) (Int32, Int, UnsafeRawPointer) -> Int32
        guard let address = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "sched_setaffinity") else {
            throw TrainingBenchError("cannot pin to \(cores) core(s): no sched_setaffinity")
        }
        var mask = [UInt8](repeating: 0, count: 128)
        for cpu in 0..<cores { mask[cpu / 8] |= UInt8(1 << (cpu % 8)) }
        let status = mask.withUnsafeBytes { unsafeBitCast(address, to: SetAffinity.self)(0, $0.count, $0.baseAddress!) }
        guard status == 0 else {
            throw TrainingBenchError("cannot pin to \(cores) core(s): \(String(cString: strerror(errno)))")
        }
    }

    /// Median seconds of Strata's sum and 100-bin histogram over `values` standard-normal float64s.
    static func measure() -> (sum: Double, histogram: Double) {
        var data = [Double](repeating: 0, count: values)
        data.withUnsafeMutableBufferPointer { out in
            let shared = UncheckedSendable(out)
            let chunks = 16
            DispatchQueue.concurrentPerform(iterations: chunks) { c in
                var rng = SplitMix64(seed: 1_234 &+ UInt64(c))
                for i in (values * c / chunks)..<(values * (c + 1) / chunks) { shared.value[i] = rng.normal() }
            }
        }
        let column = Column(float64: data)
        data = []
        var sink = 0.0
        let sums = Measure.samples(7) { sink += column.relaxedSum() }
        let histograms = Measure.samples(5) { sink += Double(column.histogram(binCount: 100, range: -5...5).counts[50]) }
        if sink.isNaN { print("kernels: NaN sum") }
        return (Measure.median(sums) / 1e9, Measure.median(histograms) / 1e9)
    }

    /// Runs this suite in two child processes, pinned to 1 core and to `threads` cores.
    static func measureInChildren(threads: Int) throws -> Seconds {
        let binary = ChildProcess.binaryFolder + "/strata-bench"
        func child(_ cores: Int) throws -> (Double, Double) {
            let (status, output) = try TrainingSuite.runProcess(binary, ["kernels", "--cores", String(cores)], quiet: false)
            guard status == 0, let line = output.split(separator: "\n").last(where: { $0.hasPrefix("kernels: cores=") }) else {
                throw TrainingBenchError("strata-bench kernels --cores \(cores) failed (exit \(status)):\n\(output)")
            }
            var fields: [String: Double] = [:]
            for pair in line.split(separator: " ").dropFirst() {
                let parts = pair.split(separator: "=")
                if parts.count == 2 { fields[String(parts[0])] = Double(parts[1]) }
            }
            guard let sum = fields["sum_s"], let histogram = fields["histogram_s"] else {
                throw TrainingBenchError("strata-bench kernels printed no figures: \(line)")
            }
            return (sum, histogram)
        }
        let one = try child(1)
        let all = try child(threads)
        return Seconds(sumOneCore: one.0, sumAll: all.0, histogramOneCore: one.1, histogramAll: all.1)
    }
}

/// The number of online CPUs.
enum WorkerPoolSize {
    static let online = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
}

import StrataColumnar
import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs work on a fixed number of workers, so that `num_threads` means what it says.
///
/// Work is split statically (worker `w` of `n` takes items `w, w + n, ...`, or the `w`-th of `n`
/// fixed chunks), so results written to disjoint slots never depend on timing.
struct WorkerPool: Sendable {
    /// The number of workers, at least 1.
    let workers: Int

    /// A pool of `threads` workers; 0 means one per active core.
    init(threads: Int) {
        workers = threads > 0 ? threads : Swift.max(1, WorkerPool.coreCount)
    }

    /// The number of online cores.
    static let coreCount = Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))

    /// Calls `body(worker)` once for each worker, concurrently when there are several.
    func run(_ body: (Int) -> Void) {
        if workers == 1 {
            body(0)
            return
        }
        withoutActuallyEscaping(body) { escapable in
            let shared = UncheckedSendable(escapable)
            DispatchQueue.concurrentPerform(iterations: workers) { shared.value($0) }
        }
    }

    /// Calls `body(chunk, range)` for `chunks` fixed chunks of `0..<count`, spread over the workers.
    ///
    /// The chunk boundaries depend only on `count` and `chunks`, never on the number of workers.
    func forEachChunk(count: Int, chunks: Int, _ body: (Int, Range<Int>) -> Void) {
        let ranges = WorkerPool.chunkRanges(count: count, chunks: chunks)
        withoutActuallyEscaping(body) { escapable in
            let shared = UncheckedSendable(escapable)
            run { worker in
                var chunk = worker
                while chunk < ranges.count {
                    shared.value(chunk, ranges[chunk])
                    chunk += workers
                }
            }
        }
    }

    /// `0..<count` cut into at most `chunks` nearly equal ranges, none empty unless `count` is 0.
    static func chunkRanges(count: Int, chunks: Int) -> [Range<Int>] {
        let pieces = Swift.max(1, Swift.min(chunks, count))
        return (0..<pieces).map { k in (count * k / pieces)..<(count * (k + 1) / pieces) }
    }
}

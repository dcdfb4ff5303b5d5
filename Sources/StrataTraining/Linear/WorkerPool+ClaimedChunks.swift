import Foundation
import StrataColumnar

extension WorkerPool {
    /// Calls `body(chunk, range)` for `chunks` fixed chunks of `0..<count`, each worker claiming the
    /// next unclaimed chunk when it is done with one.
    ///
    /// On a machine shared with other work a worker may get less than its core; claiming lets the
    /// others take over its share instead of waiting for it, where `forEachChunk`'s fixed assignment
    /// makes the slowest worker set the pace. Chunk boundaries still depend only on `count` and
    /// `chunks`, so results written per chunk and combined in chunk order do not depend on timing.
    func forEachClaimedChunk(count: Int, chunks: Int, _ body: (Int, Range<Int>) -> Void) {
        let ranges = WorkerPool.chunkRanges(count: count, chunks: chunks)
        let next = ChunkCounter()
        withoutActuallyEscaping(body) { escapable in
            let shared = UncheckedSendable(escapable)
            run { _ in
                while let chunk = next.claim(below: ranges.count) {
                    shared.value(chunk, ranges[chunk])
                }
            }
        }
    }
}

/// Hands out 0, 1, 2, ... to whichever worker asks first; a few dozen claims per pass, so a lock is cheap.
private final class ChunkCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0

    func claim(below limit: Int) -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard value < limit else { return nil }
        value += 1
        return value - 1
    }
}

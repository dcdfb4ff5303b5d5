import Foundation
import StrataColumnar
import StrataPostgres

/// Reads the pieces of a view by binary COPY over several connections at once, one thread per
/// connection (libpq blocks, so these are threads of their own, never the shared concurrency pool).
/// Each thread takes the next piece not yet taken, decodes its batches and runs `prepare` on them
/// concurrently; `fold` then receives each prepared batch under a lock, one at a time, so a single
/// accumulator takes every batch of every piece.
///
/// The first failure stops the other threads at their next batch (their statements are cancelled) and
/// is rethrown once every thread has ended.
enum ParallelCopy {
    /// Reads `pieces` over `connections` (each lent to one thread; one connection reads inline on the
    /// calling thread). `sql` gives a piece's query, whose columns arrive as `columns`.
    static func run<Prepared>(
        pieces: [ScanPiece], connections: [PostgresConnection], sql: (ScanPiece) -> String, columns: [CopyColumn],
        batchRows: Int, prepare: ([Column]) -> Prepared, fold: (_ piece: Int, Prepared) -> Void
    ) throws {
        precondition(!connections.isEmpty, "A read needs a connection")
        let state = State()
        let queries = pieces.map(sql)
        func work(_ connection: PostgresConnection) {
            while let piece = state.claim(below: pieces.count) {
                do {
                    try connection.copyOut(query: queries[piece], columns: columns, batchRows: batchRows) { batch in
                        try state.checkRunning()
                        let prepared = prepare(batch)
                        try state.locked { fold(piece, prepared) }
                    }
                } catch {
                    state.fail(error)
                    return
                }
            }
        }
        let workers = min(connections.count, pieces.count)
        if workers <= 1 {
            work(connections[0])
        } else {
            withoutActuallyEscaping(work) { work in
                // A Thread keeps its closure until the Thread object itself goes, which may be after
                // this block ends: the threads reach `work` through a box emptied before it ends.
                let box = WorkBox(work)
                let shared = UncheckedSendable((box, connections))
                for index in 0..<workers {
                    state.started()
                    let thread = Thread {
                        shared.value.0.work?(shared.value.1[index])
                        state.ended()
                    }
                    thread.name = "strata-extraction-\(index)"
                    thread.start()
                }
                state.waitForAll()
                box.work = nil
            }
        }
        if let failure = state.failure { throw failure }
    }

    /// Holds a thread's work while the threads run.
    final class WorkBox {
        var work: ((PostgresConnection) -> Void)?

        init(_ work: @escaping (PostgresConnection) -> Void) { self.work = work }
    }

    /// Thrown into a thread's COPY when another thread failed, to stop it; never reaches the caller.
    struct Stopped: Error {}

    /// The queue of pieces, the lock around `fold`, the first failure and the running threads.
    final class State: @unchecked Sendable {
        private let condition = NSCondition()
        private var next = 0
        private var running = 0
        private(set) var failure: Error?

        /// The next piece to read, or nil when all are taken or a thread failed.
        func claim(below count: Int) -> Int? {
            condition.lock()
            defer { condition.unlock() }
            guard failure == nil, next < count else { return nil }
            next += 1
            return next - 1
        }

        func checkRunning() throws {
            condition.lock()
            defer { condition.unlock() }
            if failure != nil { throw Stopped() }
        }

        /// Runs `body` under the lock, unless a thread failed.
        func locked(_ body: () -> Void) throws {
            condition.lock()
            defer { condition.unlock() }
            if failure != nil { throw Stopped() }
            body()
        }

        func fail(_ error: Error) {
            condition.lock()
            defer { condition.unlock() }
            if failure == nil && !(error is Stopped) { failure = error }
        }

        func started() {
            condition.lock()
            running += 1
            condition.unlock()
        }

        func ended() {
            condition.lock()
            running -= 1
            condition.broadcast()
            condition.unlock()
        }

        func waitForAll() {
            condition.lock()
            while running > 0 { condition.wait() }
            condition.unlock()
        }
    }
}

import Foundation
import Hummingbird
import HummingbirdTesting

/// Threads of their own for the servers the tests start and the clients that call them.
///
/// Swift Testing runs every test, synchronous ones too, on the shared cooperative pool, which has one
/// thread per core: while two tests elsewhere block in PostgreSQL or Redis, or wait on a process, a
/// server's handler tasks (Hummingbird runs each request of the router path as a task) find no thread,
/// and on two cores a request can wait past the test client's 20 s timeout. A production server has no
/// such neighbours. Tasks under this executor's preference, and their child tasks, run here instead.
final class ServerTestExecutor: TaskExecutor, @unchecked Sendable {
    static let shared = ServerTestExecutor(threads: 4)

    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var next = 0

    private init(threads: Int) {
        for index in 0..<threads {
            let thread = Thread { [self] in work() }
            thread.name = "test-server-\(index)"
            thread.start()
        }
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    private func work() {
        while true {
            condition.lock()
            while next == jobs.count { condition.wait() }
            let job = jobs[next]
            next += 1
            if next == jobs.count {
                jobs.removeAll(keepingCapacity: true)
                next = 0
            }
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}

extension ApplicationProtocol {
    /// `test(_:_:)` with the server and the client on `ServerTestExecutor`'s threads.
    func testOnServerThreads<Value>(
        _ setup: TestingSetup, _ test: @Sendable (any TestClientProtocol) async throws -> Value
    ) async throws -> Value {
        try await withTaskExecutorPreference(ServerTestExecutor.shared) {
            try await self.test(setup, test)
        }
    }
}

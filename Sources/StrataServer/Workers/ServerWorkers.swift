import Foundation
import ServiceLifecycle
import StrataColumnar
import StrataOnline
import StrataRedis

/// Threads that own the blocking C clients (hiredis, libpq), so that request handlers never block
/// Hummingbird's event loops or Swift's cooperative pool: a handler queues a job and awaits it.
///
/// Lookups queued while a worker is busy are coalesced: the worker takes up to `maxPipeline` of them
/// at once, writes all their commands in one pipelined write, then reads each one's replies in turn
/// (as auto-pipelining clients do), so that under load one round trip serves many requests.
///
/// It runs as a service: on graceful shutdown it finishes the queued jobs, then its threads exit.
final class ServerWorkers: Service, @unchecked Sendable {
    private enum Job {
        case lookup(OnlineQuery, Frame, Int64?, CheckedContinuation<OnlineFeatures, any Error>)
        case task(run: @Sendable (WorkerResources) -> Void, fail: @Sendable (any Error) -> Void)
    }

    private let condition = NSCondition()
    private var queue: [Job] = []
    private var idle = 0
    private var running = 0
    private var stopping = false
    private let maxPipeline: Int
    private let metrics: ServerMetrics

    /// Starts `threads` workers, each with its own connections to `redisURL` and `postgresURL`.
    init(threads: Int, maxPipeline: Int, redisURL: RedisEndpoint, postgresURL: String, project: String, metrics: ServerMetrics) {
        self.maxPipeline = max(1, maxPipeline)
        self.metrics = metrics
        for index in 0..<max(1, threads) {
            let thread = Thread { [self] in
                work(WorkerResources(redisURL: redisURL, postgresURL: postgresURL, project: project))
            }
            thread.name = "strata-worker-\(index)"
            running += 1
            thread.start()
        }
    }

    /// The values of `query` for `entities` as of `at` (default now), looked up on a worker.
    func lookup(_ query: OnlineQuery, entities: Frame, at: Int64?) async throws -> OnlineFeatures {
        try await withCheckedThrowingContinuation { continuation in
            submit(.lookup(query, entities, at, continuation))
        }
    }

    /// Runs `body` on a worker with its connections and returns its result.
    func run<T: Sendable>(_ body: @escaping @Sendable (WorkerResources) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            submit(
                .task(
                    run: { resources in continuation.resume(with: Result { try body(resources) }) },
                    fail: { continuation.resume(throwing: $0) }))
        }
    }

    /// Waits for graceful shutdown, then lets the workers finish what is queued and stop.
    func run() async throws {
        try? await gracefulShutdown()
        stop()
    }

    /// Stops the workers once the queue is empty; jobs submitted afterwards fail.
    func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        while running > 0 { condition.wait() }
        condition.unlock()
    }

    private func submit(_ job: Job) {
        condition.lock()
        guard !stopping else {
            condition.unlock()
            Self.fail([job], with: ServerError(.serviceUnavailable, .internalError, "the server is shutting down"))
            return
        }
        queue.append(job)
        let wake = idle > 0
        condition.unlock()
        if wake { condition.signal() }
    }

    /// A worker's loop: take the next job, or the next run of lookups, and do it.
    private func work(_ resources: WorkerResources) {
        while true {
            condition.lock()
            while queue.isEmpty && !stopping {
                idle += 1
                condition.wait()
                idle -= 1
            }
            if queue.isEmpty {
                running -= 1
                condition.broadcast()
                condition.unlock()
                return
            }
            var batch: [Job] = []
            if case .task = queue[0] {
                batch.append(queue.removeFirst())
            } else {
                var count = 0
                while count < queue.count, count < maxPipeline, case .lookup = queue[count] { count += 1 }
                batch.append(contentsOf: queue[0..<count])
                queue.removeFirst(count)
            }
            condition.unlock()
            let connections = resources.redisConnections
            if case .task(let body, _) = batch[0] {
                body(resources)
            } else {
                lookUp(batch, resources: resources)
            }
            metrics.redisReconnected(max(0, resources.redisConnections - max(connections, 1)))
        }
    }

    /// Queues every lookup's commands, then reads each one's replies in order. A lookup whose
    /// entities are bad fails alone. A lookup that lost its connection is sent once more on a new one
    /// (it only reads); any other Redis failure fails every lookup whose replies it lost.
    private func lookUp(_ batch: [Job], resources: WorkerResources) {
        let store: OnlineStore
        do {
            store = try resources.store()
        } catch {
            metrics.redisFailed()
            Self.fail(batch, with: error)
            return
        }
        metrics.pipelineWritten(lookups: batch.count)
        typealias Lookup = (query: OnlineQuery, entities: Frame, at: Int64?, continuation: CheckedContinuation<OnlineFeatures, any Error>)
        var sent: [(OnlineStore.PendingLookup, Lookup)] = []
        sent.reserveCapacity(batch.count)
        var lost: [Lookup] = []
        var redisFailure: RedisError?
        for job in batch {
            guard case .lookup(let query, let entities, let at, let continuation) = job else { continue }
            let lookup = (query, entities, at, continuation)
            if redisFailure != nil {
                lost.append(lookup)
                continue
            }
            do {
                sent.append((try store.send(query, entities: entities, at: at), lookup))
            } catch let error as RedisError {
                metrics.redisFailed()
                redisFailure = error
                lost.append(lookup)
            } catch {
                continuation.resume(throwing: error)
            }
        }
        for (pending, lookup) in sent {
            // A connection that failed dropped every queued reply: nothing left to read for this lookup.
            guard redisFailure == nil, store.redis.pendingReplies >= pending.commandCount else {
                lost.append(lookup)
                continue
            }
            do {
                lookup.continuation.resume(returning: try store.receive(pending))
            } catch let error as RedisError where error.code != .serverError {
                metrics.redisFailed()
                redisFailure = error
                lost.append(lookup)
            } catch {
                lookup.continuation.resume(throwing: error)
            }
        }
        for lookup in lost {
            guard let failure = redisFailure, failure.code == .connectionLost else {
                lookup.continuation.resume(
                    throwing: redisFailure ?? RedisError(
                        code: .connectionLost, message: "lost the connection to Redis at \(store.redis.redactedURL)",
                        url: store.redis.redactedURL))
                continue
            }
            lookup.continuation.resume(with: Result { try store.onlineFeatures(lookup.query, entities: lookup.entities, at: lookup.at) })
        }
    }

    private static func fail(_ jobs: [Job], with error: any Error) {
        for job in jobs {
            switch job {
            case .lookup(_, _, _, let continuation): continuation.resume(throwing: error)
            case .task(_, let fail): fail(error)
            }
        }
    }
}

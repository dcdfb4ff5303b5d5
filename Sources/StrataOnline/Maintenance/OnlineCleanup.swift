import StrataRedis
import StrataRegistry

/// Deletes the online keys that an `apply` made unreadable (`Registry.pendingOnlineCleanups`): the
/// registry change, the watermark reset and the request commit first, in one PostgreSQL transaction;
/// the keys go afterwards. Every apply, materialisation and push runs what is pending before it writes,
/// so a deletion that failed (Redis down) is retried and never removes values written after it.
public enum OnlineCleanup {
    /// A view whose keys were deleted.
    public struct Cleaned: Sendable, Hashable {
        /// The view.
        public var view: String
        /// The number of Redis keys deleted.
        public var keys: Int
    }

    /// A view whose keys could not be deleted; the request stays for the next run.
    public struct Failed: Sendable, Hashable, CustomStringConvertible {
        /// The view.
        public var view: String
        /// Why.
        public var reason: String

        /// The failure and what happens next, for messages.
        public var description: String {
            "could not delete the online keys of feature view \(view) (\(reason)); its stored values are unreadable, and the next apply, materialize or push deletes them"
        }
    }

    /// What a run of the pending cleanups did.
    public struct Outcome: Sendable, Hashable {
        /// Views whose keys were deleted.
        public var cleaned: [Cleaned] = []
        /// Views whose keys could not be deleted.
        public var failed: [Failed] = []
    }

    /// Deletes the keys (and marker) of every pending view of `project`; connects to Redis only when
    /// something is pending. A failed deletion is recorded in the registry and returned, not thrown.
    /// - Throws: `PostgresError` when the registry cannot be read or written.
    public static func run(project: String, registry: Registry, redis connect: () throws -> RedisConnection) throws -> Outcome {
        let pending = try registry.pendingOnlineCleanups(project: project)
        guard !pending.isEmpty else { return Outcome() }
        var outcome = Outcome()
        let redis: RedisConnection
        do {
            redis = try connect()
        } catch {
            for cleanup in pending {
                try registry.recordOnlineCleanupFailure(cleanup, project: project, reason: "\(error)")
                outcome.failed.append(Failed(view: cleanup.view, reason: "\(error)"))
            }
            return outcome
        }
        for cleanup in pending {
            do {
                let keys = try OnlineStore.removeKeys(project: project, view: cleanup.view, redis: redis)
                try OnlineMarkers.remove(project: project, view: cleanup.view, redis: redis)
                try registry.completeOnlineCleanup(cleanup, project: project)
                outcome.cleaned.append(Cleaned(view: cleanup.view, keys: keys))
            } catch let error as RedisError {
                try registry.recordOnlineCleanupFailure(cleanup, project: project, reason: error.description)
                outcome.failed.append(Failed(view: cleanup.view, reason: error.description))
            }
        }
        return outcome
    }

    /// Runs the pending cleanups before a write to the online store, which must not start while stale
    /// keys remain (they would be deleted after it, values written by it included).
    /// - Throws: the first failure, after recording it.
    static func complete(project: String, registry: Registry, redis: RedisConnection) throws -> [Cleaned] {
        let outcome = try run(project: project, registry: registry, redis: { redis })
        if let failed = outcome.failed.first {
            throw OnlineError(.cleanupFailed, "nothing was written: \(failed)")
        }
        return outcome.cleaned
    }
}

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

    /// Deletes the keys (and marker) of every pending view of `project`, or of those among `views`;
    /// connects to Redis only when something is pending. A failed deletion is recorded in the registry
    /// and returned, not thrown. The caller holds the views' locks (`Registry.lockViews`), so no run
    /// writes to them meanwhile.
    /// - Throws: `PostgresError` when the registry cannot be read or written.
    public static func run(
        project: String, registry: Registry, views: Set<String>? = nil, redis connect: () throws -> any RedisClient
    ) throws -> Outcome {
        let pending = try registry.pendingOnlineCleanups(project: project).filter { views?.contains($0.view) ?? true }
        guard !pending.isEmpty else { return Outcome() }
        var outcome = Outcome()
        let redis: any RedisClient
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
    /// keys remain (they would be deleted after it, values written by it included). With `holding` (the
    /// views whose locks the caller holds), only those and the pending views no other run holds are
    /// cleaned: a view another run holds is that run's to clean.
    /// - Throws: the first failure, after recording it.
    static func complete(project: String, registry: Registry, holding: Set<String>? = nil, redis: some RedisClient) throws -> [Cleaned] {
        var views = holding
        var borrowed: [String] = []
        defer { registry.unlockViews(project: project, views: borrowed) }
        if let holding {
            let others = try registry.pendingOnlineCleanups(project: project).map(\.view).filter { !holding.contains($0) }
            borrowed = try registry.tryLockViews(project: project, views: others)
            views = holding.union(borrowed)
        }
        let outcome = try run(project: project, registry: registry, views: views, redis: { redis })
        if let failed = outcome.failed.first {
            throw OnlineError(.cleanupFailed, "nothing was written: \(failed)")
        }
        return outcome.cleaned
    }
}

import StrataCore
import StrataRedis
import StrataRegistry

/// `apply` across the registry and the online store, for the command line and the server alike.
///
/// Order: the registry change, the watermark resets of the views whose stored values it invalidates,
/// and the requests to delete their keys commit in one PostgreSQL transaction (`Registry.apply`); the
/// Redis keys go afterwards (`OnlineCleanup`). Between the two, the stale records are unreadable: a
/// removed or offline view cannot be looked up, and a re-laid-out view's records carry another schema
/// tag. A failure at any point leaves no watermark claiming values that Redis no longer holds.
public enum SchemaApply {
    /// What an apply did.
    public struct Outcome: Sendable {
        /// The plan that was applied (empty when the registry already matched).
        public var plan: Plan
        /// The online keys deleted, and the deletions that failed and stay pending.
        public var cleanup: OnlineCleanup.Outcome
    }

    /// Applies `repository`, then deletes the online keys pending deletion, this apply's and any left
    /// by an earlier one; connects to Redis only when keys are pending. The views the apply resets stay
    /// locked (`Registry.lockViews` and `Registry.lockPushes`) until their keys are gone, so it waits for
    /// their running materialisations and pushes, and none starts before the deletion; an earlier apply's leftovers are deleted
    /// only for views no run holds (a materialisation deletes them itself before it writes).
    /// - Parameter waiting: hears why the apply waits for another run.
    /// - Throws: `RegistryError.breakingChange` when the plan has breaking changes and `allowBreaking` is
    ///   false (nothing is applied); `PostgresError` when the registry fails. A failed deletion is not
    ///   thrown: it is in the outcome and recorded for the next run.
    public static func apply(
        _ repository: Repository, registry: Registry, allowBreaking: Bool, waiting: (String) -> Void = { _ in },
        redis connect: () throws -> any RedisClient
    ) throws -> Outcome {
        let project = repository.project
        let plan = try registry.apply(repository, allowBreaking: allowBreaking, keepingViewLocks: true, waiting: waiting)
        var locked = plan.onlineResets
        defer {
            registry.unlockPushes(project: project, views: plan.onlineResets)
            registry.unlockViews(project: project, views: locked)
        }
        let leftovers = try registry.pendingOnlineCleanups(project: project).map(\.view).filter { !locked.contains($0) }
        locked += try registry.tryLockViews(project: project, views: leftovers)
        let cleanup = try OnlineCleanup.run(project: project, registry: registry, views: Set(locked), redis: connect)
        return Outcome(plan: plan, cleanup: cleanup)
    }
}

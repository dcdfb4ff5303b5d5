import StrataCore
import StrataRegistry

extension OnlinePush {
    /// Runs `body`, a push's writes, holding the view's push lock (`Registry.lockForPush`): an apply that
    /// resets the view waits for it, and it waits for such an apply, so that no pushed row is written under
    /// a layout, or into a source, that an apply replaced meanwhile. Pushes share the lock, and materialisations
    /// do not take it. Once the lock is held the registry is read again, and the push goes on only if it
    /// still defines the view as the rows were checked against.
    /// - Throws: `OnlineError.badInput` (nothing written) when an apply changed the view meanwhile; what
    ///   `body` throws.
    func holdingPushLock<T>(registry: Registry, waiting: (String) -> Void, _ body: () throws -> T) throws -> T {
        try registry.lockForPush(project: view.project, view: view.view.name, waiting: waiting)
        defer { registry.unlockForPush(project: view.project, view: view.view.name) }
        let current = try? OnlineView(named: view.view.name, in: try registry.repository(project: view.project))
        guard let current, Self.writesAlike(current, view) else {
            throw OnlineError(
                .badInput,
                "feature view \(view.view.name) of project \(view.project) was \(current == nil ? "removed" : "changed") by an apply after this push's rows were checked against it, so nothing was written: push the rows again as the view is now declared")
        }
        return try body()
    }

    /// Whether a push's rows checked against `a` are written as they would be for `b`: the same online
    /// layout (schema tag, keys, features or aggregated columns), the same source table and columns, and
    /// both online or both not. A change of ttl, expiry, description or drift settings keeps a push valid.
    static func writesAlike(_ a: OnlineView, _ b: OnlineView) -> Bool {
        let pushedA = OnlinePush(view: a).pushedColumns, pushedB = OnlinePush(view: b).pushedColumns
        return a.tag == b.tag && a.source == b.source && a.view.online == b.view.online && a.joinKeys == b.joinKeys
            && a.keyColumnTypes == b.keyColumnTypes && a.view.hopSeconds == b.view.hopSeconds
            && a.view.aggregations?.map(\.summary) == b.view.aggregations?.map(\.summary)
            && pushedA.map(\.name) == pushedB.map(\.name) && pushedA.map(\.type) == pushedB.map(\.type)
    }
}

import StrataCore
import StrataPostgres

extension Registry {
    /// The online views of `old` whose stored values stop being valid when the registry moves to
    /// `new`: views removed or turned offline, and views whose stored layout changed (feature names,
    /// types or order; join-key names or types; an aggregation view's hop or aggregations), because
    /// their records no longer match the view.
    /// `apply` resets their watermarks and records their keys for deletion in its transaction.
    public static func onlineViewsToReset(from old: Repository, to new: Repository) -> [String] {
        func layout(_ view: FeatureView, _ repository: Repository) -> [String] {
            view.features.map { "\($0.name):\($0.type.rawValue)" }
                + (view.aggregations ?? []).map(\.summary) + [view.hopSeconds.map { "hop \($0)" } ?? ""]
                + view.entities.map { name in
                    repository.entity(named: name).map { "@\($0.joinKey):\($0.type.rawValue)" } ?? "@\(name)"
                }
        }
        return old.featureViews.filter { before in
            guard before.online else { return false }
            guard let after = new.featureView(named: before.name), after.online else { return true }
            return layout(before, old) != layout(after, new)
        }.map(\.name).sorted()
    }

    /// Inside `apply`'s transaction: forgets the watermarks of `views` and records their online keys for
    /// deletion, so that the registry change, the watermarks and the pending deletion commit together.
    func resetOnlineViews(_ views: [String], project: String, db: PostgresConnection) throws {
        for view in views {
            try db.execute("DELETE FROM strata_watermarks WHERE project = $1 AND view_name = $2", [.text(project), .text(view)])
            try db.execute("INSERT INTO strata_online_cleanups (project, view_name) VALUES ($1, $2)", [.text(project), .text(view)])
        }
    }

    /// The views of `project` whose online keys are still to be deleted, oldest request first.
    public func pendingOnlineCleanups(project: String) throws -> [PendingOnlineCleanup] {
        let rows = try connection.execute(
            """
            SELECT view_name, max(id), max(attempts), (array_agg(last_error ORDER BY id DESC))[1]
            FROM strata_online_cleanups WHERE project = $1 GROUP BY view_name ORDER BY min(id)
            """, [.text(project)])
        return (0..<rows.rowCount).compactMap { row in
            guard let view = rows.string(row, 0), let last = rows.int(row, 1) else { return nil }
            return PendingOnlineCleanup(
                view: view, lastRequest: last, attempts: Int(rows.int(row, 2) ?? 0), lastError: rows.string(row, 3))
        }
    }

    /// Marks `cleanup` done: Redis dropped the view's keys.
    public func completeOnlineCleanup(_ cleanup: PendingOnlineCleanup, project: String) throws {
        try connection.execute(
            "DELETE FROM strata_online_cleanups WHERE project = $1 AND view_name = $2 AND id <= $3",
            [.text(project), .text(cleanup.view), .int(cleanup.lastRequest)])
    }

    /// Records that deleting the keys of `cleanup` failed with `reason`; the request stays for the next run.
    public func recordOnlineCleanupFailure(_ cleanup: PendingOnlineCleanup, project: String, reason: String) throws {
        try connection.execute(
            "UPDATE strata_online_cleanups SET attempts = attempts + 1, last_error = $3 WHERE project = $1 AND view_name = $2",
            [.text(project), .text(cleanup.view), .text(reason)])
    }
}

import StrataPostgres

extension Registry {
    /// The advisory-lock key of one feature view: a 64-bit hash of its project and name, which the
    /// one-key form of `pg_advisory_lock` takes (a lock space apart from the two-key form the applies of a
    /// project and the models use).
    static let viewLockKey = "hashtextextended('strata feature view ' || $1 || '/' || $2, 0)"

    /// Takes the advisory lock of each of `views` of `project`, in name order (so that two runs never wait
    /// for each other crosswise), waiting for the runs that hold them; `waiting` hears why before each
    /// wait. Materialisations and applies that change a view's online values hold its lock, so they run
    /// one after the other and no watermark passes values another run deleted or has yet to write.
    ///
    /// The locks belong to the registry's session: they outlast transactions, and end with
    /// `unlockViews` or with the connection, so a killed process holds none.
    /// - Throws: `PostgresError` when PostgreSQL fails; the locks taken before are released then.
    public func lockViews(project: String, views: [String], waiting: (String) -> Void) throws {
        var taken: [String] = []
        do {
            for view in Set(views).sorted() {
                if !(try tryLockView(project: project, view: view)) {
                    waiting(
                        "feature view \(view) of project \(project) is being materialised or applied by another run; waiting for another run to finish")
                    try connection.execute("SELECT pg_advisory_lock(\(Self.viewLockKey))", [.text(project), .text(view)])
                }
                taken.append(view)
            }
        } catch {
            unlockViews(project: project, views: taken)
            throw error
        }
    }

    /// Takes the advisory locks of those of `views` that no other run holds, without waiting, and returns them.
    /// - Throws: `PostgresError` when PostgreSQL fails; the locks taken before are released then.
    public func tryLockViews(project: String, views: [String]) throws -> [String] {
        var taken: [String] = []
        do {
            for view in Set(views).sorted() where try tryLockView(project: project, view: view) {
                taken.append(view)
            }
        } catch {
            unlockViews(project: project, views: taken)
            throw error
        }
        return taken
    }

    /// Releases the locks `lockViews` or `tryLockViews` took, once each. A failure is ignored: it means the
    /// session is gone, and its locks with it.
    public func unlockViews(project: String, views: [String]) {
        for view in views {
            _ = try? connection.execute("SELECT pg_advisory_unlock(\(Self.viewLockKey))", [.text(project), .text(view)])
        }
    }

    /// The advisory-lock key of the pushes to one feature view, apart from `viewLockKey` so that pushes wait
    /// neither for materialisations nor for each other (newer-wins makes them commute), only for the applies
    /// that change the view's layout.
    static let pushLockKey = "hashtextextended('strata feature view pushes ' || $1 || '/' || $2, 0)"

    /// Takes the push locks of `views` of `project` exclusively, in name order, waiting for the pushes to them
    /// in flight (an apply that resets the views, after `lockViews`): a push parsed against a view's old
    /// layout then never writes after the change, and a push started meanwhile waits until the caller's
    /// `unlockPushes`. The locks belong to the session, as `lockViews`'s do.
    /// - Throws: `PostgresError` when PostgreSQL fails; the locks taken before are released then.
    public func lockPushes(project: String, views: [String], waiting: (String) -> Void) throws {
        var taken: [String] = []
        do {
            for view in Set(views).sorted() {
                let parameters: [PostgresValue] = [.text(project), .text(view)]
                let rows = try connection.execute("SELECT pg_try_advisory_lock(\(Self.pushLockKey))", parameters)
                if rows.bool(0, 0) != true {
                    waiting("feature view \(view) of project \(project) is being pushed to; waiting for the pushes to finish")
                    try connection.execute("SELECT pg_advisory_lock(\(Self.pushLockKey))", parameters)
                }
                taken.append(view)
            }
        } catch {
            unlockPushes(project: project, views: taken)
            throw error
        }
    }

    /// Releases the push locks `lockPushes` took, once each; a failure means the session, and its locks, are gone.
    public func unlockPushes(project: String, views: [String]) {
        for view in views {
            _ = try? connection.execute("SELECT pg_advisory_unlock(\(Self.pushLockKey))", [.text(project), .text(view)])
        }
    }

    /// Takes the push lock of `view` of `project` shared, which other pushes share, waiting for an apply that
    /// resets the view (`lockPushes`) to finish; `waiting` hears why before the wait. Release it with
    /// `unlockForPush`.
    /// - Throws: `PostgresError` when PostgreSQL fails.
    public func lockForPush(project: String, view: String, waiting: (String) -> Void) throws {
        let parameters: [PostgresValue] = [.text(project), .text(view)]
        let rows = try connection.execute("SELECT pg_try_advisory_lock_shared(\(Self.pushLockKey))", parameters)
        guard rows.bool(0, 0) != true else { return }
        waiting("feature view \(view) of project \(project) is being changed by an apply; waiting for it to finish")
        try connection.execute("SELECT pg_advisory_lock_shared(\(Self.pushLockKey))", parameters)
    }

    /// Releases the shared push lock `lockForPush` took.
    public func unlockForPush(project: String, view: String) {
        _ = try? connection.execute("SELECT pg_advisory_unlock_shared(\(Self.pushLockKey))", [.text(project), .text(view)])
    }

    func tryLockView(project: String, view: String) throws -> Bool {
        let rows = try connection.execute("SELECT pg_try_advisory_lock(\(Self.viewLockKey))", [.text(project), .text(view)])
        return rows.bool(0, 0) == true
    }
}

import Foundation
import StrataColumnar
import StrataOffline
import StrataOnline
import StrataRedis
import StrataTestSupport
import Testing

extension FaultMatrix {
    /// `push` and an `apply` that changes the pushed view's online layout (user_stats gains a feature), at once.
    /// They take turns on the view's push lock (`Registry.lockForPush`, `Registry.lockPushes`): an apply waits
    /// for the pushes in flight, and a push whose rows were checked before the apply writes nothing after it.
    /// Otherwise pushed records land in Redis under the old schema tag, unreadable, where no watermark says so.
    @Suite("Concurrent push and apply")
    struct PushDuringApply {
        /// The rows of `LostConnection.pushFile` with a value for the feature the changed schema adds.
        static let pushFileWithBonus: String = {
            let lines = LostConnection.pushFile.split(separator: "\n")
            return ([lines[0] + ",bonus"] + lines.dropFirst().map { $0 + ",7" }).joined(separator: "\n") + "\n"
        }()

        /// Every record a clean materialisation of `stores`'s registry and sources up to the data's end writes, followed
        /// by a push of the file `pushing` (of the working folder) to the online store only. The run records its own
        /// watermarks in `stores`'s registry, so `stores`'s markers no longer witness them afterwards.
        static func clean(_ stores: FaultStores, pushing: String? = nil) throws -> OnlineContents {
            let redis = try RedisConnection(url: try RedisURL(try TestServices.shared.freshRedisURL()), timeout: .seconds(30))
            try Materializer(registry: stores.registry, redis: redis).materialize(project: FaultData.project, start: nil, end: FaultData.end)
            if let pushing {
                let push = OnlinePush(view: try OnlineView(named: "user_stats", in: try stores.registry.repository(project: FaultData.project)))
                try push.write(
                    file: try CSVReader(path: stores.folder.appendingPathComponent(pushing).path), registry: stores.registry, redis: redis,
                    offline: false, now: FaultData.end)
            }
            return try OnlineContents.read(redis)
        }

        /// A push with `--offline` is held by a lock on its source table after it took the view's push lock; the
        /// apply started then must wait for it (not reset the view under it). Once both finished and the view was
        /// materialised again, every pushed row is readable under the new layout: the store is what a clean run
        /// over the pushed sources gives.
        @Test func anApplyWaitsForThePushInFlight() throws {
            let stores = try FaultStores()
            try #require(try stores.strata(FaultMatrix.MaterializeKills.full).status == 0)
            try LostConnection.pushFile.write(to: stores.folder.appendingPathComponent("rows.csv"), atomically: true, encoding: .utf8)
            let changed = stores.folder.appendingPathComponent("bonus")
            try FaultData.writeSchema(to: changed, withBonus: true)
            let rowsBefore = try stores.registry.connection.execute("SELECT count(*) FROM user_events").int(0, 0) ?? 0

            // SHARE lets readers of user_events through (the apply checks the source) but holds the push's insert.
            let blocker = try stores.hold("user_events", mode: "SHARE")
            let push = try stores.start(["push", "user_stats", "rows.csv", "--offline"])
            try stores.waitForLockWaiters(1)
            let apply = try stores.start(["apply", changed.path])
            try Waiting.until("the apply to finish or to wait for the push", seconds: 120) {
                try !apply.isRunning || Waiting.sessionsWaitingForLocks(on: stores.registry.connection) >= 2
            }
            #expect(apply.isRunning, "the apply did not wait for the push in flight")
            try blocker.execute("ROLLBACK")
            let pushed = push.wait()
            let applied = apply.wait()

            #expect(pushed.status == 0, "\(pushed.stderr)")
            #expect(applied.status == 0, "\(applied.stderr)")
            #expect(applied.stderr.contains("is being pushed to; waiting for the pushes to finish"), "\(applied.stderr)")
            let rowsAfter = try stores.registry.connection.execute("SELECT count(*) FROM user_events").int(0, 0) ?? 0
            #expect(rowsAfter - rowsBefore == 6000)
            let rerun = try stores.strata(FaultMatrix.MaterializeKills.incremental)
            #expect(rerun.status == 0, "\(rerun.stderr)")
            #expect(try stores.unwitnessedViews().isEmpty)
            #expect(try stores.contents().differences(from: try Self.clean(stores)).isEmpty)
        }

        /// An apply is held by a lock on the registry's table of applies after it took the view's locks; a push
        /// started then checks its rows against the old schema and waits. When the apply commits, the push finds
        /// the view changed and writes nothing (exit 2), online or offline; the same rows pushed again for the new
        /// schema are written, and readable.
        @Test func aPushCheckedBeforeAnApplyWritesNothingAfterIt() throws {
            let stores = try FaultStores()
            try #require(try stores.strata(FaultMatrix.MaterializeKills.full).status == 0)
            try LostConnection.pushFile.write(to: stores.folder.appendingPathComponent("rows.csv"), atomically: true, encoding: .utf8)
            try Self.pushFileWithBonus.write(to: stores.folder.appendingPathComponent("bonus.csv"), atomically: true, encoding: .utf8)
            let changed = stores.folder.appendingPathComponent("bonus")
            try FaultData.writeSchema(to: changed, withBonus: true)
            let rowsBefore = try stores.registry.connection.execute("SELECT count(*) FROM user_events").int(0, 0) ?? 0

            let blocker = try stores.hold("strata_applies", mode: "SHARE")
            let apply = try stores.start(["apply", changed.path])
            try stores.waitForLockWaiters(1)
            let push = try stores.start(["push", "user_stats", "rows.csv", "--offline"])
            try Waiting.until("the push to finish or to wait for the apply", seconds: 120) {
                try !push.isRunning || Waiting.sessionsWaitingForLocks(on: stores.registry.connection) >= 2
            }
            #expect(push.isRunning, "the push did not wait for the apply in flight")
            try blocker.execute("ROLLBACK")
            let applied = apply.wait()
            let pushed = push.wait()

            #expect(applied.status == 0, "\(applied.stderr)")
            #expect(pushed.status == 2, "\(pushed.stderr)")
            #expect(pushed.stderr.contains("is being changed by an apply; waiting for it to finish"), "\(pushed.stderr)")
            #expect(
                pushed.stderr.contains("feature view user_stats of project faults was changed by an apply after this push's rows were checked against it, so nothing was written"),
                "\(pushed.stderr)")
            #expect(try stores.registry.connection.execute("SELECT count(*) FROM user_events").int(0, 0) == rowsBefore)
            #expect(try stores.contents().records.keys.allSatisfy { $0.view != "user_stats" }, "the apply deleted the view's keys and nothing was pushed")

            let again = try stores.strata(["push", "user_stats", "bonus.csv", "--offline"])
            #expect(again.status == 0, "\(again.stderr)")
            let rerun = try stores.strata(FaultMatrix.MaterializeKills.incremental)
            #expect(rerun.status == 0, "\(rerun.stderr)")
            #expect(try stores.contents().differences(from: try Self.clean(stores, pushing: "bonus.csv")).isEmpty)
        }
    }
}

import Foundation
import StrataColumnar
import StrataTestSupport
import Testing

extension FaultMatrix {
    /// Runs that change the same feature views at once: two materialisations, and an apply during a
    /// materialisation. They are serialised by a PostgreSQL advisory lock per (project, view), so neither fails
    /// for the other's sake and no watermark ever passes data that is not in Redis.
    @Suite("Concurrent materialize and apply")
    struct ConcurrentRuns {
        /// The second of two runs of the same views waits for the first (which a lock on the last view's source
        /// holds mid-run), says so, and then both succeed.
        @Test func twoMaterialisationsOfTheSameViews() throws {
            let stores = try FaultStores()
            let blocker = try stores.hold("visits")
            let first = try stores.start(FaultMatrix.MaterializeKills.full)
            try stores.waitForLockWaiters(1)
            let second = try stores.start(FaultMatrix.MaterializeKills.full)
            try stores.waitForLockWaiters(2)
            try blocker.execute("ROLLBACK")
            let outcomes = [first.wait(), second.wait()]

            #expect(outcomes.allSatisfy { $0.status == 0 }, "\(outcomes.map(\.stderr))")
            #expect(outcomes[1].stderr.contains("waiting for another run"), "\(outcomes[1].stderr)")
            let clean = try #require(try CleanRuns.contents()[FaultData.end])
            #expect(try stores.contents().differences(from: clean).isEmpty)
            #expect(try stores.unwitnessedViews().isEmpty)
        }

        /// Pairs of runs started a random instant apart, of `materialize` and of `materialize-incremental`: both
        /// succeed and the store ends as a clean run's.
        @Test func pairsStartedAtRandomInstants() throws {
            let stores = try FaultStores()
            let clean = try #require(try CleanRuns.contents()[FaultData.end])
            var random = SeededGenerator(seed: 77)
            for round in 0..<3 {
                try stores.reset()
                let first = try stores.start(round == 1 ? FaultMatrix.MaterializeKills.incremental : FaultMatrix.MaterializeKills.full)
                usleep(UInt32.random(in: 0...1_500_000, using: &random))
                let second = try stores.start(FaultMatrix.MaterializeKills.incremental)
                let outcomes = [first.wait(), second.wait()]
                #expect(outcomes.allSatisfy { $0.status == 0 }, "round \(round): \(outcomes.map(\.stderr))")
                #expect(try stores.contents().differences(from: clean).isEmpty, "round \(round)")
                #expect(try stores.unwitnessedViews().isEmpty, "round \(round)")
            }
        }

        /// `apply` of a schema that changes user_stats's layout while a materialisation that read the old schema
        /// is between reading the registry and writing to Redis (stopped there with SIGSTOP, after a lock on the
        /// watermark table held it). The apply must wait for the run rather than delete the view's keys under
        /// it; otherwise the run writes records of the old layout afterwards and sets a watermark that claims
        /// them, and lookups answer NOT_FOUND until the view is re-materialised by hand.
        @Test func applyDuringAMaterialisation() throws {
            let stores = try FaultStores()
            let changed = stores.folder.appendingPathComponent("bonus")
            try FaultData.writeSchema(to: changed, withBonus: true)

            let blocker = try stores.hold("strata_watermarks")
            let run = try stores.start(FaultMatrix.MaterializeKills.full)
            try stores.waitForLockWaiters(1)
            run.send(SIGSTOP)
            try blocker.execute("ROLLBACK")
            let apply = try stores.start(["apply", changed.path])
            try Waiting.until("the apply to finish or to wait for the materialisation", seconds: 120) {
                try !apply.isRunning || Waiting.sessionsWaitingForLocks(on: stores.registry.connection) >= 1
            }
            run.send(SIGCONT)
            let applied = apply.wait()
            let materialised = run.wait()

            #expect(applied.status == 0, "\(applied.stderr)")
            #expect(materialised.status == 0, "\(materialised.stderr)")
            let clean = try CleanRuns.contents(withBonus: true)
            let violations = try stores.contents().watermarkViolations(watermarks: try stores.watermarks(), clean: clean)
            #expect(violations.isEmpty, "\(violations)")

            let rerun = try stores.strata(FaultMatrix.MaterializeKills.incremental)
            #expect(rerun.status == 0, "\(rerun.stderr)")
            #expect(try stores.contents().differences(from: try #require(clean[FaultData.end])).isEmpty)
            #expect(try stores.unwitnessedViews().isEmpty)
        }
    }
}

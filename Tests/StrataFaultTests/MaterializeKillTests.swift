import Foundation
import StrataColumnar
import StrataTestSupport
import Testing

extension FaultMatrix {
    /// `strata materialize` killed with SIGKILL: no cleanup code runs, so only the order of the run's steps
    /// (writes, then the markers, then the watermarks) keeps the stores truthful.
    @Suite("SIGKILL during materialize")
    struct MaterializeKills {
        static let full = ["materialize", "--start", UTCTimestamp.format(FaultData.origin), "--end", UTCTimestamp.format(FaultData.end)]
        static let incremental = ["materialize-incremental", "--end", UTCTimestamp.format(FaultData.end)]
        static let firstHalf = ["materialize-incremental", "--end", UTCTimestamp.format(FaultData.middle)]

        /// After a kill, no watermark claims more than Redis holds; a rerun converges to a clean run's contents,
        /// every field of every bucket, and Redis's markers witness the watermarks again.
        func expectConvergence(_ stores: FaultStores, after what: String) throws {
            let clean = try CleanRuns.contents()
            let violations = try stores.contents().watermarkViolations(watermarks: try stores.watermarks(), clean: clean)
            #expect(violations.isEmpty, "\(what): \(violations)")
            let rerun = try stores.strata(Self.incremental)
            #expect(rerun.status == 0, "\(what): the rerun failed: \(rerun.stderr)")
            let differences = try stores.contents().differences(from: try #require(clean[FaultData.end]))
            #expect(differences.isEmpty, "\(what): the rerun did not converge: \(differences)")
            #expect(try stores.watermarks() == Dictionary(uniqueKeysWithValues: FaultData.views.map { ($0, FaultData.end) }))
            #expect(try stores.unwitnessedViews().isEmpty, "\(what)")
        }

        /// Twenty kills at random instants of a run, of `materialize` from an empty store and of
        /// `materialize-incremental` continuing from the first half's watermark, each followed by the checks.
        @Test func killedAtTwentyRandomPoints() throws {
            let stores = try FaultStores()
            let began = Date()
            let first = try stores.strata(Self.full)
            let length = Date().timeIntervalSince(began)
            try #require(first.status == 0, "\(first.stderr)")
            #expect(try stores.contents() == (try CleanRuns.contents()[FaultData.end]))

            var random = SeededGenerator(seed: 1212)
            var killed = 0
            for round in 0..<20 {
                try stores.reset()
                let resumes = round % 2 == 1
                if resumes {
                    let half = try stores.strata(Self.firstHalf)
                    try #require(half.status == 0, "\(half.stderr)")
                }
                let running = try stores.start(resumes ? Self.incremental : Self.full)
                let delay = Double.random(in: 0.02...(0.9 * length), using: &random)
                usleep(UInt32(delay * 1_000_000))
                running.send(SIGKILL)
                let outcome = running.wait()
                if outcome.killedBySignal { killed += 1 }
                let command = resumes ? "materialize-incremental" : "materialize"
                try expectConvergence(stores, after: "round \(round), \(command) killed after \(String(format: "%.3f", delay)) s")
            }
            // Guards the test itself: kills that all land after the run ended would check nothing.
            #expect(killed >= 10, "only \(killed) of 20 kills landed while the run was going")
        }

        /// The narrowest point: killed after Redis's markers were set and before the watermarks commit (held
        /// there by a lock on the watermark table), with and without an earlier watermark. The registry keeps
        /// its old watermark and token, which no longer match the markers: the rerun re-materialises from the
        /// beginning instead of trusting either.
        @Test(arguments: [false, true])
        func killedBetweenTheMarkersAndTheWatermarks(resumes: Bool) throws {
            let stores = try FaultStores()
            if resumes {
                let half = try stores.strata(Self.firstHalf)
                try #require(half.status == 0, "\(half.stderr)")
            }
            let before = try stores.watermarks()
            let blocker = try stores.hold("strata_watermarks", mode: "EXCLUSIVE")
            let running = try stores.start(resumes ? Self.incremental : Self.full)
            try stores.waitForLockWaiters(1)
            running.send(SIGKILL)
            let outcome = running.wait()
            try blocker.execute("ROLLBACK")
            #expect(outcome.killedBySignal)
            #expect(try stores.watermarks() == before)
            try expectConvergence(stores, after: "killed before the watermarks committed")
        }
    }
}

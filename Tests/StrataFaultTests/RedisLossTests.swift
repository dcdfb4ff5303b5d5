import Foundation
import StrataColumnar
import StrataEmbedded
import StrataRedis
import StrataTestSupport
import Testing

extension FaultMatrix {
    /// Redis losing its data in the middle of a materialisation: the run must fail with exit 3 and say so,
    /// leave the watermarks as they were, and a rerun must restore everything.
    @Suite("Redis restarted or flushed during materialize")
    struct RedisLoss {
        enum Loss: String, CustomStringConvertible, CaseIterable {
            /// Restarted (without persistence) while the run waits between two views: the run's connection is
            /// idle, and its next command goes to the new, empty server.
            case restartedBetweenViews
            /// Restarted while the run's writes wait inside Redis (held by `CLIENT PAUSE WRITE`): the connection
            /// breaks under a command in flight.
            case restartedUnderAWrite
            /// `FLUSHDB` while the run waits between two views.
            case flushed

            var description: String { rawValue }
        }

        /// A run of `materialize-incremental` from the first half's watermarks to the end, held by a lock on the
        /// last view's source (`visits`) after it wrote the other two views, meets the loss there.
        @Test(arguments: Loss.allCases)
        func lostDuringARun(_ loss: Loss) throws {
            var server = try LocalRedis.start()
            defer { try? server.stop() }
            let stores = try FaultStores(redisURL: server.url)
            let half = try stores.strata(FaultMatrix.MaterializeKills.firstHalf)
            try #require(half.status == 0, "\(half.stderr)")
            let before = try stores.registry.watermarkStates(project: FaultData.project)

            let blocker = try stores.hold("visits")
            let running = try stores.start(FaultMatrix.MaterializeKills.incremental)
            try stores.waitForLockWaiters(1)
            let marks = try stores.redis.command(["HGETALL", "m:{\(FaultData.project)}"]).array?.compactMap(\.string) ?? []
            #expect(marks.contains("visit_stats|run"), "the run is under way: its run fields are in Redis")
            switch loss {
            case .restartedBetweenViews:
                try server.restart()
                try blocker.execute("ROLLBACK")
            case .restartedUnderAWrite:
                _ = try stores.redis.command(["CLIENT", "PAUSE", "60000", "WRITE"])
                try blocker.execute("ROLLBACK")
                // Long enough for the last view's first batch to reach Redis and wait there; if it has not yet,
                // the restart meets the idle connection instead, which must end the same way.
                usleep(500_000)
                try server.restart()
            case .flushed:
                _ = try stores.redis.command("FLUSHDB")
                try blocker.execute("ROLLBACK")
            }
            let outcome = running.wait()

            #expect(outcome.status == 3, "\(loss): \(outcome.stderr)")
            // Under a write, the run may notice before the new server answers: then it cannot tell a restart
            // from an outage, and says that it lost the connection.
            let said: [String] = switch loss {
            case .flushed: ["lost this run's marker fields"]
            case .restartedBetweenViews: ["was restarted during materialisation"]
            case .restartedUnderAWrite: ["was restarted during materialisation", "lost the connection to Redis at"]
            }
            #expect(said.contains { outcome.stderr.contains($0) }, "\(loss): \(outcome.stderr)")
            #expect(outcome.stderr.contains("the watermarks were not advanced"), "\(outcome.stderr)")
            #expect(!outcome.stderr.contains(server.password ?? "-"), "the message hides the password")
            #expect(try stores.registry.watermarkStates(project: FaultData.project) == before)

            let rerun = try stores.strata(FaultMatrix.MaterializeKills.incremental)
            #expect(rerun.status == 0, "\(rerun.stderr)")
            let clean = try #require(try CleanRuns.contents()[FaultData.end])
            #expect(try stores.contents().differences(from: clean).isEmpty)
            #expect(try stores.unwitnessedViews().isEmpty)
        }
    }
}

import Foundation
import StrataColumnar
import StrataEmbedded
import StrataPostgres
import StrataTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// SIGTERM or SIGINT sent to the `strata serve` binary: it stops accepting, finishes the request in flight,
/// writes every queued served-feature row and exits 0. The request in flight and the log's COPY are held
/// by table locks this test holds, so both are still pending when the signal arrives.
@Suite("strata serve: graceful shutdown of the binary", .enabled(if: TestServices.enabled))
struct ServeShutdownTests {
    static let lookups = 5

    @Test(arguments: [(SIGTERM, "SIGTERM"), (SIGINT, "SIGINT")])
    func aSignalFinishesTheRequestInFlightFlushesTheLogAndExitsZero(signal: Int32, name: String) throws {
        let fixture = try ServerFixture()
        let online = fixture.online
        let port = try #require(Loopback.freePort())
        let running = try StrataCLI.start(
            ["serve", "--port", "\(port)", "--log-sample", "1"],
            environment: ["STRATA_POSTGRES_URL": online.postgresURL, "STRATA_REDIS_URL": online.redisURL.absoluteString])
        defer { if running.isRunning { running.send(SIGKILL) } }
        try Waiting.until("strata serve answering /health", seconds: 120) {
            guard running.isRunning else { return true }
            return (try? LoopbackHTTP.request(port: port, method: "GET", path: "/health").status) == 200
        }
        try #require(running.isRunning)

        let blocker = try InterruptTests.hold(ServedLogTable.name, url: online.postgresURL)
        try blocker.execute("LOCK TABLE user_events IN EXCLUSIVE MODE")
        for index in 0..<Self.lookups {
            let reply = try LoopbackHTTP.request(
                port: port, method: "POST", path: "/get-online-features",
                body: #"{"features":["user_stats:clicks"],"entities":{"user_id":[1]},"at":"\#(ServerFixture.atText)"}"#,
                headers: ["x-request-id": "shutdown-\(index)"])
            #expect(reply.status == 200, "\(reply.text)")
        }
        let push = #"{"push_source_name":"user_stats","to":"online_and_offline","df":{"user_id":[77],"ts":["\#(ServerFixture.atText)"],"clicks":[5],"spend":[1.5],"ratio":[0.5],"rank":[2],"vip":[false],"segment":["new"],"last_seen":[null]}}"#
        let pushed = PendingReply()
        let pushing = Thread { pushed.set(Result { try LoopbackHTTP.request(port: port, method: "POST", path: "/push", body: push) }) }
        pushing.start()
        // The log's COPY and the push's insert both wait for the test's locks.
        try Waiting.untilSessionsWaitForLocks(2, on: online.db)

        running.send(signal)
        try Waiting.until("strata serve to stop accepting connections") { !Loopback.accepts(port) || !running.isRunning }
        #expect(running.isRunning, "strata serve exited before the request in flight finished")
        try blocker.execute("COMMIT")

        let outcome = running.wait(killingAfter: 120)
        #expect(!outcome.killedBySignal && outcome.status == 0, "\(outcome.status) \(outcome.stderr)")
        #expect(outcome.stderr.contains("\(name): stopping"), "\(outcome.stderr)")
        let reply = try pushed.wait()
        #expect(reply.status == 200, "\(reply.text)")
        let answer = try JSONSerialization.jsonObject(with: Data(reply.body)) as? [String: Any]
        #expect(answer?["written_online"] as? Int == 1, "\(reply.text)")
        let logged = try online.db.execute(
            "SELECT count(*) FROM \(ServedLogTable.name) WHERE request_id LIKE 'shutdown-%'")
        #expect(logged.int(0, 0) == Int64(Self.lookups))
        let offline = try online.db.execute("SELECT count(*) FROM user_events WHERE user_id = 77")
        #expect(offline.int(0, 0) == 1)
    }
}

/// The served-feature log's table (docs/served-feature-log.md).
enum ServedLogTable {
    static let name = "strata_served_features"
}

/// The reply of a request sent from another thread, handed to the test's thread.
final class PendingReply: @unchecked Sendable {
    private let condition = NSCondition()
    private var result: Result<LoopbackHTTP.Reply, Error>?

    func set(_ result: Result<LoopbackHTTP.Reply, Error>) {
        condition.withLock {
            self.result = result
            condition.broadcast()
        }
    }

    /// The reply, once the request ended.
    func wait() throws -> LoopbackHTTP.Reply {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if let result { return try result.get() }
            condition.wait()
        }
    }
}

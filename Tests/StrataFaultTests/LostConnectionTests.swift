import Foundation
import StrataColumnar
import StrataOnline
import StrataRedis
import StrataRegistry
import StrataTestSupport
import Testing

extension FaultMatrix {
    /// The connection to Redis lost under `strata online` and `strata push` (a proxy between them drops it at
    /// a chosen command): a lookup, which only reads, reconnects and retries once; a push, which writes, fails
    /// with a clear error and never leaves a row half-applied, so running it again finishes it.
    @Suite("Lost Redis connection during online and push")
    struct LostConnection {
        static let lookup = [
            "online", "--service", "scoring", "--at", UTCTimestamp.format(FaultData.end),
            "--entity", "user_id=11,store_code=s11", "--entity", "user_id=12,store_code=s12", "--entity", "user_id=13,store_code=s13",
            "--entity", "user_id=14,store_code=s14", "--entity", "user_id=999999,store_code=none",
        ]
        /// The lookup's first command on the wire (RESP), after the connection's AUTH and SELECT.
        static let hget = "\r\nHGET\r\n"

        /// A proxy in front of `stores`'s Redis and the URL that reaches Redis through it.
        static func proxy(_ stores: FaultStores, cut: @escaping @Sendable (Int) -> FaultProxy.Cut?) throws -> (FaultProxy, String) {
            var url = try RedisURL(stores.redisURL)
            let proxy = try FaultProxy(upstreamPort: url.port, cut: cut)
            url.host = "127.0.0.1"
            url.port = proxy.port
            return (proxy, url.absoluteString)
        }

        @Test func aLookupRetriesOnceAfterALostConnection() throws {
            let stores = try FaultStores()
            try #require(try stores.strata(FaultMatrix.MaterializeKills.full).status == 0)
            let direct = try stores.strata(Self.lookup)
            try #require(direct.status == 0, "\(direct.stderr)")
            #expect(direct.stdout.contains("PRESENT"))

            let (proxy, url) = try Self.proxy(stores) { $0 == 0 ? .before(Self.hget) : nil }
            let through = try stores.strata(Self.lookup, redisURL: url)
            #expect(through.status == 0, "\(through.stderr)")
            #expect(through.stdout == direct.stdout, "the retried lookup answers as one that never lost its connection")
            #expect(proxy.cuts == 1 && proxy.connections == 2, "one lost connection, one reconnection")
        }

        @Test func aLookupFailsClearlyWhenTheRetryIsLostToo() throws {
            let stores = try FaultStores()
            let (proxy, url) = try Self.proxy(stores) { _ in .before(Self.hget) }
            let through = try stores.strata(Self.lookup, redisURL: url)
            #expect(through.status == 3, "\(through.stderr)")
            #expect(through.stderr.contains("lost the connection to Redis at redis://:***@127.0.0.1:\(proxy.port)"), "\(through.stderr)")
            #expect(proxy.cuts == 2, "exactly one retry")
        }

        /// A push's rows, user_stats's columns: new and known users, events older and newer than the stored ones.
        /// One row per user, so that each record ends as it was before the push or as the whole push leaves it
        /// (with two rows of a user, a push cut between them leaves the first row's values, rightly).
        static let pushFile: String = {
            var random = SeededGenerator(seed: 4242)
            var lines = ["user_id,ts,created,clicks,spend,ratio,rank,vip,segment,last_seen"]
            let day: Int64 = 86_400_000_000
            for user in Array(1...45_000).shuffled(using: &random).prefix(6000) {
                let ts = FaultData.end - 5 * day + Int64.random(in: 0..<(6 * day / 1_000_000), using: &random) * 1_000_000
                let created = ts + Int64.random(in: 0..<3_600, using: &random) * 1_000_000
                func maybe(_ text: String) -> String { Double.random(in: 0..<1, using: &random) < 0.1 ? "" : text }
                lines.append(
                    [
                        String(user), UTCTimestamp.format(ts), UTCTimestamp.format(created),
                        maybe(String(Int.random(in: -500...1500, using: &random))), maybe(String(Double.random(in: -10...10, using: &random))),
                        maybe(String(Float.random(in: 0...1, using: &random))), maybe(String(Int.random(in: -100...100, using: &random))),
                        maybe(Bool.random(using: &random) ? "true" : "false"), maybe("pushed"), maybe(UTCTimestamp.format(ts - day)),
                    ].joined(separator: ","))
            }
            return lines.joined(separator: "\n") + "\n"
        }()

        /// The store after a materialisation to the end and the whole push, computed once.
        static let pushed = Result<OnlineContents, Error> {
            let stores = try FaultStores()
            try Materializer(registry: stores.registry, redis: stores.redis).materialize(project: FaultData.project, start: nil, end: FaultData.end)
            try pushFile.write(to: stores.folder.appendingPathComponent("rows.csv"), atomically: true, encoding: .utf8)
            let push = try stores.strata(["push", "user_stats", "rows.csv"])
            guard push.status == 0 else { throw FaultTestError(description: "the clean push failed: \(push.stderr)") }
            return try stores.contents()
        }

        /// The proxy lets a third of the push's first pipeline of writes through, then drops the connection.
        @Test(arguments: [false, true])
        func aPushCutMidwayFailsClearlyAndRunningItAgainFinishesIt(offline: Bool) throws {
            let stores = try FaultStores()
            try #require(try stores.strata(FaultMatrix.MaterializeKills.full).status == 0)
            try Self.pushFile.write(to: stores.folder.appendingPathComponent("rows.csv"), atomically: true, encoding: .utf8)
            let before = try stores.contents()
            let rowsBefore = try stores.registry.connection.execute("SELECT count(*) FROM user_events").int(0, 0) ?? 0
            let clean = try Self.pushed.get()

            let (proxy, url) = try Self.proxy(stores) { $0 == 0 ? FaultProxy.Cut(marker: Array("\r\nHSETNX\r\n".utf8), after: 250_000) : nil }
            let cut = try stores.strata(["push", "user_stats", "rows.csv"] + (offline ? ["--offline"] : []), redisURL: url)
            #expect(proxy.cuts == 1)
            #expect(cut.status == 3, "\(cut.stderr)")
            #expect(cut.stderr.contains("lost the connection to Redis"), "\(cut.stderr)")
            let advice = offline ? "re-run this push without --offline to write them online, which is safe" : "re-running the push is safe"
            #expect(cut.stderr.contains(advice), "\(cut.stderr)")

            // Per row, all or nothing: each record is the one before the push or the one the whole push leaves.
            let middle = try stores.contents()
            let mixed = middle.records.filter { entry, record in record != before.records[entry] && record != clean.records[entry] }
            #expect(mixed.isEmpty, "half-applied rows: \(mixed.keys.prefix(3))")
            #expect(before.records.keys.allSatisfy { middle.records[$0] != nil }, "nothing stored before was lost")
            #expect(middle != before && middle != clean, "the connection was lost in the middle of the push")
            let rowsAfter = try stores.registry.connection.execute("SELECT count(*) FROM user_events").int(0, 0) ?? 0
            #expect(rowsAfter - rowsBefore == (offline ? 6000 : 0), "the offline rows are committed once, or not at all")

            let again = try stores.strata(["push", "user_stats", "rows.csv"])
            #expect(again.status == 0, "\(again.stderr)")
            #expect(try stores.contents().differences(from: clean).isEmpty)
        }
    }
}

import Foundation
import StrataColumnar
import StrataCore
import StrataEmbedded
import StrataOffline
import StrataOnline
import StrataRedis
import StrataRegistry
import StrataTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Every online verb on a real Redis Cluster (three masters, three replicas), compared with the same verb on one
/// Redis; then the cluster moving slots and losing a master under load.
@Suite("Online store on a Redis Cluster", .serialized, .enabled(if: TestServices.enabled))
struct ClusterOnlineTests {
    static let day = OnlineFixture.microsPerDay
    static let project = OnlineFixture.project
    static let end = OnlineFixture.origin + 10 * OnlineFixture.microsPerDay

    /// Every (key, field) → record of the views on `redis` (markers left out), keyed as `OnlineFixture.dump` keys.
    static func dump(_ redis: some RedisClient) throws -> [String: [UInt8]] {
        var keys: [[UInt8]] = []
        try redis.scan(matching: "s:*") { keys.append(contentsOf: $0) }
        let replies = try redis.pipeline(keys.map { [Array("HGETALL".utf8), $0] })
        var result: [String: [UInt8]] = [:]
        for (key, reply) in zip(keys, replies) {
            let entries = try #require(reply.array)
            for i in stride(from: 0, to: entries.count, by: 2) {
                let field = try #require(entries[i].bytes).map { String($0) }.joined(separator: ".")
                result[String(decoding: key, as: UTF8.self) + "|" + field] = try #require(entries[i + 1].bytes)
            }
        }
        return result
    }

    static let userFeatures = ["clicks", "spend", "ratio", "rank", "vip", "segment", "last_seen"].map {
        FeatureReference(view: "user_stats", feature: $0)
    }

    /// The lookup of every user feature and two store features for `users` users, as Feast's JSON.
    static func lookup(_ redis: any RedisClient, _ fixture: OnlineFixture, users: Int, at: Int64 = end) throws -> String {
        let store = OnlineStore(redis: redis, repository: fixture.repository)
        let ids = Array(Int64(1)...Int64(users))
        let user = try store.onlineFeatures(Self.userFeatures, entities: OnlineFixture.users(ids), at: at)
        let stores = try store.onlineFeatures(
            [FeatureReference(view: "store_stats", feature: "rating"), FeatureReference(view: "store_stats", feature: "visits")],
            entities: Frame(names: ["store_code"], columns: [Column(string: (0..<45).map { "s\($0)" })]), at: at)
        return user.feastJSON() + stores.feastJSON()
    }

    func cli(_ fixture: OnlineFixture, _ cluster: TestCluster) -> [String: String] {
        ["STRATA_POSTGRES_URL": fixture.postgresURL, "STRATA_REDIS_URL": cluster.url]
    }

    /// Materialisation (incremental over several windows), lookups, push, expiry and key removal on apply give on
    /// the cluster what they give on one Redis; the lookups also equal the offline join.
    @Test func everyOnlineVerbOnAClusterGivesWhatItGivesOnOneRedis() throws {
        let shared = try TestCluster.shared
        try shared.flush()
        let cluster = try shared.client()
        let fixture = try OnlineFixture()
        try fixture.insertRandom(users: 300, seed: 61)

        for day in [3, 6, 10] {
            try Materializer(registry: fixture.registry, redis: cluster)
                .materializeIncremental(project: Self.project, end: OnlineFixture.origin + Int64(day) * Self.day)
        }
        #expect(try fixture.registry.watermark(project: Self.project, view: "user_stats") == Self.end)
        let incremental = try Self.dump(cluster)
        // The same registry's views, materialised in one run on one Redis (which takes the registry's markers).
        try fixture.materializer().materialize(project: Self.project, start: nil, end: Self.end)
        let single = try fixture.dump()
        #expect(single.count > 250)
        #expect(incremental == single)
        // The keys are spread over every master.
        let perMaster = try cluster.commandOnEachServer(["DBSIZE"]).map { $0.integer ?? 0 }
        #expect(perMaster.count == LocalRedisCluster.masterCount && perMaster.allSatisfy { $0 > 50 }, "\(perMaster)")

        // Lookups: the same as on one Redis, and the same as the offline join.
        #expect(try Self.lookup(cluster, fixture, users: 310) == Self.lookup(fixture.redis, fixture, users: 310))
        let ids = Array(Int64(1)...310)
        let online = try OnlineStore(redis: cluster, repository: fixture.repository)
            .onlineFeatures(Self.userFeatures, entities: OnlineFixture.users(ids), at: Self.end)
        let offline = try PointInTimeJoin(connection: fixture.db).join(
            spine: Frame(names: ["user_id", "event_timestamp"], columns: [
                Column(int64: ids), Column(timestamp: Array(repeating: Self.end, count: ids.count)),
            ]),
            selection: try FeatureSelection.resolve(Self.userFeatures, in: fixture.repository))
        for (f, reference) in Self.userFeatures.enumerated() {
            #expect(online.values[f] == offline[reference.columnName], "\(reference)")
        }

        // The command line on the cluster. The registry's markers are now those of the run on one Redis: the
        // cluster's copies witness another run, so the views are rebuilt; the next run has nothing to do.
        let end = UTCTimestamp.format(Self.end)
        let rebuilt = try StrataCLI.run(["materialize-incremental", "--end", end], environment: cli(fixture, shared))
        #expect(rebuilt.status == 0, "\(rebuilt.stderr)")
        #expect(rebuilt.stderr.contains("re-materialised feature view user_stats from the beginning"), "\(rebuilt.stderr)")
        let rerun = try StrataCLI.run(["materialize-incremental", "--end", end], environment: cli(fixture, shared))
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(!rerun.stderr.contains("warning"), "\(rerun.stderr)")
        #expect(try Self.dump(cluster) == single)
        let looked = try StrataCLI.run(
            ["online", "--features", "user_stats:clicks", "--entity", "user_id=7", "--at", end], environment: cli(fixture, shared))
        #expect(looked.status == 0, "\(looked.stderr)")
        #expect(!looked.stderr.contains("warning"), "\(looked.stderr)")
        #expect(looked.stdout == (try StrataCLI.run(
            ["online", "--features", "user_stats:clicks", "--entity", "user_id=7", "--at", end],
            environment: ["STRATA_POSTGRES_URL": fixture.postgresURL, "STRATA_REDIS_URL": fixture.redisURL.absoluteString]).stdout))

        // Push, newer-wins: the same rows pushed to both stores leave them equal.
        let push = OnlinePush(view: try OnlineView(named: "user_stats", in: fixture.repository))
        let rows = try push.parse(
            try CSVReader(bytes: Array("""
                user_id,ts,created,clicks,spend,ratio,rank,vip,segment,last_seen
                1,2026-01-10T12:00:00Z,,1001,,,,,pushed,
                2,2026-01-01T00:00:00Z,,1002,,,,,too old,
                900,2026-01-09T00:00:00Z,,1900,,,,,new user,

                """.utf8), file: "rows.csv"), now: Self.end)
        let pushedOnCluster = try push.write(rows, registry: fixture.registry, redis: cluster, offline: false)
        #expect(pushedOnCluster == (try push.write(rows, registry: fixture.registry, redis: fixture.redis, offline: false)))
        #expect(pushedOnCluster >= 2)
        #expect(try Self.dump(cluster) == fixture.dump())

        // Key removal on apply: removing a view deletes its keys on every master, and only those.
        let withoutStores = OnlineFixture.schema()
            .replacingOccurrences(of: "  - name: store_stats\n", with: "  - name: store_stats_gone\n")
            .replacingOccurrences(of: "store_stats:rating, ", with: "")
        try withoutStores.write(to: fixture.folder.appendingPathComponent("shop.yaml"), atomically: true, encoding: .utf8)
        let applied = try StrataCLI.run(["apply", "--allow-breaking", fixture.folder.path], environment: cli(fixture, shared))
        #expect(applied.status == 0, "\(applied.stderr)")
        #expect(applied.stdout.contains("online keys of feature view store_stats"), "\(applied.stdout)")
        let left = try Self.dump(cluster)
        #expect(!left.isEmpty && left.keys.allSatisfy { $0.hasPrefix("s:shop:user_stats:") })
        #expect(left.count == single.keys.filter { $0.hasPrefix("s:shop:user_stats:") }.count + 1)
    }

    /// `strata serve --redis redis+cluster://...`, run as the binary: `/health` answers 200; `/get-online-features`
    /// answers, for entities on every master, exactly what the online store answers on the cluster; `/push` writes
    /// each record to the master that serves its slot and leaves the cluster as the same push leaves one Redis.
    @Test func strataServeOnAClusterAnswersAndPushesAsTheOnlineStoreDoes() throws {
        let shared = try TestCluster.shared
        try shared.flush()
        let cluster = try shared.client()
        let fixture = try OnlineFixture()
        try fixture.insertRandom(users: 400, seed: 64)
        try Materializer(registry: fixture.registry, redis: cluster).materialize(project: Self.project, start: nil, end: Self.end)
        try fixture.materializer().materialize(project: Self.project, start: nil, end: Self.end)
        let perMaster = try cluster.commandOnEachServer(["DBSIZE"]).map { $0.integer ?? 0 }
        #expect(perMaster.count == LocalRedisCluster.masterCount && perMaster.allSatisfy { $0 > 50 }, "\(perMaster)")

        let port = try #require(Loopback.freePort())
        let running = try StrataCLI.start(["serve", "--port", "\(port)"], environment: cli(fixture, shared))
        defer { if running.isRunning { running.send(SIGKILL) } }
        try Waiting.until("strata serve answering /health", seconds: 120) {
            guard running.isRunning else { return true }
            return (try? LoopbackHTTP.request(port: port, method: "GET", path: "/health").status) == 200
        }
        try #require(running.isRunning, "\(running.wait().stderr)")
        #expect(try LoopbackHTTP.request(port: port, method: "GET", path: "/health").status == 200)

        // Lookups of every user (and ten unknown ones) and every store, as of the end of the data.
        let users = Array(Int64(1)...410)
        let stores = (0..<45).map { "s\($0)" }
        let storeFeatures = [FeatureReference(view: "store_stats", feature: "rating"), FeatureReference(view: "store_stats", feature: "visits")]
        func served(_ features: [FeatureReference], _ entities: String) throws -> String {
            let list = features.map { "\"\($0)\"" }.joined(separator: ",")
            let reply = try LoopbackHTTP.request(
                port: port, method: "POST", path: "/get-online-features",
                body: #"{"features":[\#(list)],"entities":{\#(entities)},"at":"\#(UTCTimestamp.format(Self.end))"}"#)
            #expect(reply.status == 200, "\(reply.text)")
            return reply.text
        }
        func servedUsers(_ ids: [Int64]) throws -> String {
            try served(Self.userFeatures, #""user_id":[\#(ids.map(String.init).joined(separator: ","))]"#)
        }
        let store = OnlineStore(redis: cluster, repository: fixture.repository)
        func expectedUsers(_ ids: [Int64]) throws -> String {
            try store.onlineFeatures(Self.userFeatures, entities: OnlineFixture.users(ids), at: Self.end).feastJSON()
        }
        let all = try servedUsers(users)
        #expect(all == (try expectedUsers(users)))
        #expect(all.contains(#""PRESENT""#) && all.contains(#""NOT_FOUND""#) && all.contains(#""OUTSIDE_MAX_AGE""#), "\(all.prefix(600))")
        #expect(
            try served(storeFeatures, #""store_code":[\#(stores.map { "\"\($0)\"" }.joined(separator: ","))]"#)
                == store.onlineFeatures(storeFeatures, entities: Frame(names: ["store_code"], columns: [Column(string: stores)]), at: Self.end)
                .feastJSON())

        // A push of known users (newer and older than their stored rows) and new ones, through the server to the
        // cluster and through `OnlinePush` to one Redis holding the same records.
        let rows = Self.pushRows(seed: 65)
        let before = try Self.dump(cluster)
        let reply = try LoopbackHTTP.request(port: port, method: "POST", path: "/push", body: Self.pushBody(rows))
        #expect(reply.status == 200, "\(reply.text)")
        let push = OnlinePush(view: try OnlineView(named: "user_stats", in: fixture.repository))
        let parsed = try push.parse(try CSVReader(bytes: Array(Self.pushCSV(rows).utf8), file: "rows.csv"), now: Self.end)
        let written = try push.write(parsed, registry: fixture.registry, redis: fixture.redis, offline: false)
        let answer = try JSONSerialization.jsonObject(with: Data(reply.body)) as? [String: Any]
        #expect(answer?["rows"] as? Int == rows.count && answer?["written_online"] as? Int == written, "\(reply.text)")
        #expect(written > 20 && written < rows.count, "some pushed rows are older than the stored ones")
        let after = try Self.dump(cluster)
        #expect(after == (try fixture.dump()))

        // Each record the push changed is on the master that serves its key's slot, and the push reached every master.
        let url = try RedisClusterURL(shared.url)
        var reached = Set<String>()
        for entry in after.keys where before[entry] != after[entry] {
            let key = String(entry.prefix { $0 != "|" })
            let address = try #require(cluster.master(ofSlot: RedisClusterSlot.slot(ofKey: key)))
            reached.insert(address)
            let parts = address.split(separator: ":")
            let node = try RedisConnection(url: url.nodeURL(host: String(parts[0]), port: try #require(Int(parts[1]))), timeout: .seconds(30))
            #expect(try node.command(["EXISTS", key]).integer == 1, "\(key) is on \(address)")
        }
        #expect(reached.count == LocalRedisCluster.masterCount, "\(reached)")

        // Read back through the server: the pushed users answer as the online store does.
        let pushedUsers = Array(Set(rows.map(\.user))).sorted()
        #expect(try servedUsers(pushedUsers) == expectedUsers(pushedUsers))
        #expect(try expectedUsers(pushedUsers) == OnlineStore(redis: fixture.redis, repository: fixture.repository)
            .onlineFeatures(Self.userFeatures, entities: OnlineFixture.users(pushedUsers), at: Self.end).feastJSON())
        running.send(SIGTERM)
        let stopped = running.wait(killingAfter: 60)
        #expect(stopped.status == 0, "\(stopped.stderr)")
    }

    /// One pushed row of user_stats; nil is null.
    struct PushRow {
        var user: Int64
        var ts: Int64
        var created: Int64
        var clicks: Int64?
        var segment: String?
    }

    /// Rows for 40 known users and 40 new ones, each at a random instant of the data's ten days (so some are older
    /// than the stored record and lose), one row per user.
    static func pushRows(seed: UInt64) -> [PushRow] {
        var rng = SeededGenerator(seed: seed)
        let known = Array(Int64(1)...400).shuffled(using: &rng).prefix(40)
        return (Array(known) + Array(Int64(1001)...1040)).map { user in
            let ts = OnlineFixture.origin + Int64.random(in: 0..<(10 * 24 * 60), using: &rng) * 60_000_000
            return PushRow(
                user: user, ts: ts, created: ts + 1_000_000,
                clicks: Int.random(in: 0..<10, using: &rng) == 0 ? nil : Int64.random(in: 0...5000, using: &rng),
                segment: Int.random(in: 0..<10, using: &rng) == 0 ? nil : "pushed \(user)")
        }
    }

    /// `rows` as the body of `POST /push` to the online store.
    static func pushBody(_ rows: [PushRow]) -> String {
        func list(_ values: [String]) -> String { "[" + values.joined(separator: ",") + "]" }
        func quoted(_ text: String) -> String { "\"" + text + "\"" }
        var columns: [(String, [String])] = []
        columns.append(("user_id", rows.map { String($0.user) }))
        columns.append(("ts", rows.map { quoted(UTCTimestamp.format($0.ts)) }))
        columns.append(("created", rows.map { quoted(UTCTimestamp.format($0.created)) }))
        columns.append(("clicks", rows.map { row -> String in row.clicks.map(String.init) ?? "null" }))
        columns.append(("segment", rows.map { row -> String in row.segment.map(quoted) ?? "null" }))
        for name in ["spend", "ratio", "rank", "vip", "last_seen"] {
            columns.append((name, Array(repeating: "null", count: rows.count)))
        }
        let df = columns.map { quoted($0.0) + ":" + list($0.1) }.joined(separator: ",")
        return #"{"push_source_name":"user_stats","to":"online","df":{"# + df + "}}"
    }

    /// `rows` as a push file.
    static func pushCSV(_ rows: [PushRow]) -> String {
        (["user_id,ts,created,clicks,spend,ratio,rank,vip,segment,last_seen"] + rows.map { row in
            "\(row.user),\(UTCTimestamp.format(row.ts)),\(UTCTimestamp.format(row.created)),\(row.clicks.map(String.init) ?? ""),,,,,\(row.segment ?? ""),"
        }).joined(separator: "\n") + "\n"
    }

    /// An expiring view sets each key's deadline on the master that holds it.
    @Test func expiringViewsSetDeadlinesOnEveryMaster() throws {
        let shared = try TestCluster.shared
        try shared.flush()
        let cluster = try shared.client()
        let fixture = try OnlineFixture(schema: OnlineFixture.schema(ttl: "0", expiry: "2d"))
        let now = Int64(Date().timeIntervalSince1970) * 1_000_000
        try fixture.insert((Int64(1)...60).map { user in
            let ts = now - (user % 2 == 0 ? 1 : 3) * Self.day
            return OnlineFixture.UserRow(user: user, ts: ts, created: ts)
        })
        try Materializer(registry: fixture.registry, redis: cluster).materialize(project: Self.project, start: nil, end: now)
        let result = try OnlineStore(redis: cluster, repository: fixture.repository)
            .onlineFeatures([Self.userFeatures[0]], entities: OnlineFixture.users(Array(1...60)), at: now)
        #expect(result.statuses(feature: 0).elementsEqual((1...60).map { $0 % 2 == 0 ? FeatureStatus.present : .notFound }))
        let keys = try Self.dump(cluster).keys.map { String($0.prefix { $0 != "|" }) }
        #expect(keys.count == 30)
        for key in keys {
            let ttl = try #require(try cluster.command(["PTTL", key]).integer)
            #expect(ttl > 0 && ttl <= Self.day / 1000, "\(key): \(ttl)")
        }
    }

    /// Slots holding data move between masters while views are materialised and looked up: every lookup answers
    /// correctly, and nothing is lost.
    @Test func reshardingDuringMaterialisationAndLookupsLosesNothing() throws {
        let shared = try TestCluster.shared
        try shared.flush()
        let cluster = try shared.client()
        let fixture = try OnlineFixture()
        try fixture.insertRandom(users: 1500, seed: 62)
        try fixture.materializer(batchRows: 512).materialize(project: Self.project, start: nil, end: Self.end)
        let expected = try fixture.dump()
        let expectedLookup = try Self.lookup(fixture.redis, fixture, users: 400)
        let mapReads = cluster.slotMapReads

        let masters = try shared.cluster.masterIndices()
        let moving = Flag()
        let mover = Thread {
            defer { moving.finish() }
            do {
                try shared.cluster.reshard(slots: 1200, from: masters[0], to: masters[1])
                try shared.cluster.reshard(slots: 1200, from: masters[1], to: masters[2])
                try shared.cluster.reshard(slots: 1200, from: masters[2], to: masters[0])
            } catch {
                moving.fail("\(error)")
            }
        }
        mover.start()
        let materializer = Materializer(registry: fixture.registry, redis: cluster)
        materializer.batchRows = 512
        var runs = 0
        var first = true
        repeat {
            // The first run writes into an empty cluster; the others write the same values again.
            try materializer.materialize(project: Self.project, start: nil, end: Self.end)
            runs += 1
            if !first || moving.isDone { #expect(try Self.lookup(cluster, fixture, users: 400) == expectedLookup) }
            first = false
        } while !moving.isDone
        #expect(moving.failure == nil, "\(moving.failure ?? "")")
        #expect(runs >= 1)
        #expect(try Self.lookup(cluster, fixture, users: 400) == expectedLookup)
        #expect(try Self.dump(cluster) == expected)
        #expect(cluster.slotMapReads > mapReads, "the client followed the moved slots")
        let next = try materializer.materializeIncremental(project: Self.project, end: Self.end)
        #expect(next.views.allSatisfy { $0.redisLoss == nil }, "the markers moved with their slots")
    }

    /// A master is killed while views are materialised and looked up: each call either succeeds with the right
    /// values or fails with a clear error; once its replica took over, a rerun converges to the clean contents.
    @Test func killingAMasterMidRunIsAClearErrorOrARetryAndARerunConverges() throws {
        let shared = try TestCluster.shared
        try shared.flush()
        let cluster = try shared.client(timeout: .seconds(10))
        let fixture = try OnlineFixture()
        try fixture.insertRandom(users: 1500, seed: 63)
        try fixture.materializer(batchRows: 512).materialize(project: Self.project, start: nil, end: Self.end)
        let expected = try fixture.dump()
        let expectedLookup = try Self.lookup(fixture.redis, fixture, users: 400)
        let materializer = Materializer(registry: fixture.registry, redis: cluster)
        materializer.batchRows = 512
        try materializer.materialize(project: Self.project, start: nil, end: Self.end)
        try shared.waitForReplicas(cluster)

        let victim = try #require(try shared.cluster.masterIndices().first)
        let killed = Flag()
        let killer = Thread {
            usleep(300_000)
            shared.cluster.killNode(victim)
            killed.finish()
        }
        killer.start()
        var failures: [RedisError] = []
        var runsAfterKill = 0
        let deadline = Date().addingTimeInterval(60)
        while runsAfterKill < 3 && Date() < deadline {
            let afterKill = killed.isDone
            do {
                try materializer.materialize(project: Self.project, start: nil, end: Self.end)
                #expect(try Self.lookup(cluster, fixture, users: 400) == expectedLookup, "never a wrong value")
            } catch let error as RedisError {
                failures.append(error)
            }
            if afterKill { runsAfterKill += 1 }
        }
        #expect(killed.isDone)
        for failure in failures {
            #expect([.connectionFailed, .connectionLost, .clusterDown, .timeout].contains(failure.code), "\(failure)")
            #expect(failure.description.contains("a node of the Redis Cluster at redis+cluster://"), "\(failure)")
            #expect(!failure.description.contains(shared.cluster.password ?? "no password"))
        }

        // The replica took over: once the cluster serves every slot again, a rerun converges.
        try Waiting.until("the replica to take over", seconds: 60) {
            (try? Self.lookup(cluster, fixture, users: 10)) != nil
        }
        try shared.restartNode(victim)
        let rerun = try materializer.materializeIncremental(project: Self.project, end: Self.end)
        #expect(rerun.views.allSatisfy { $0.start == nil || $0.written == 0 }, "\(rerun.views)")
        #expect(try Self.dump(cluster) == expected)
        #expect(try Self.lookup(cluster, fixture, users: 400) == expectedLookup)
        #expect(try shared.cluster.masterIndices().count == LocalRedisCluster.masterCount)
    }
}

/// A one-way signal between a test and a helper thread.
final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var done = false
    private var message: String?

    var isDone: Bool { lock.withLock { done } }
    var failure: String? { lock.withLock { message } }

    func finish() { lock.withLock { done = true } }
    func fail(_ text: String) { lock.withLock { message = text } }
}

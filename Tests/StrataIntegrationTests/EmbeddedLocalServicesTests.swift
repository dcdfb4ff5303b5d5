import Foundation
import StrataEmbedded
import StrataPostgres
import StrataRedis
import StrataTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@Suite("Embedded local services: up, down, status", .enabled(if: TestServices.enabled))
struct EmbeddedLocalServicesTests {
    /// A fresh folder under /tmp, with `.strata` inside it not yet created.
    let scratch = "/tmp/strata-embedded-test-\(UUID().uuidString.prefix(8))"
    var directory: String { "\(scratch)/.strata" }

    init() throws {
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
    }

    private func cleanUp() {
        _ = try? LocalServices.down(directory: directory)
        try? FileManager.default.removeItem(atPath: scratch)
    }

    private func query(_ url: String, _ sql: String) throws -> String {
        try PostgresConnection(url: url).execute(sql).rows.map { $0.map { $0 ?? "" }.joined(separator: "|") }.joined(separator: "\n")
    }

    /// `strata up --redis-cluster` runs three masters and three replicas under the folder, a later `up` keeps them,
    /// `strata down` stops every node, and `--no-redis-cluster` goes back to the single Redis.
    @Test func upWithARedisClusterThenDown() throws {
        defer { cleanUp() }
        let up = try StrataCLI.run(["up", "--redis-cluster", "--state-dir", directory])
        #expect(up.status == 0, "\(up.stderr)")
        #expect(up.stdout.contains("redis-cluster: started at redis+cluster://:***@127.0.0.1:"), "\(up.stdout)")
        let record = try #require(try ServicesRecord.read(from: directory))
        #expect(record.redis.name == LocalServices.clusterServiceName)
        #expect(record.redis.directory == "\(directory)/redis-cluster")
        let cluster = try #require(LocalRedisCluster.running(directory: record.redis.directory))
        #expect(cluster.persistent)
        #expect(cluster.ports.allSatisfy { $0 <= LocalRedisCluster.highestPort })
        #expect(try cluster.masterIndices().count == LocalRedisCluster.masterCount)
        let client = try RedisCluster(url: RedisClusterURL(cluster.url))
        #expect(client.masters.count == LocalRedisCluster.masterCount)
        _ = try client.command("SET", "k:{a}", "1")
        #expect(LocalRedis.running(directory: "\(directory)/redis") == nil)

        let again = try StrataCLI.run(["up", "--state-dir", directory])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("redis-cluster: already running"), "\(again.stdout)")

        let down = try StrataCLI.run(["down", "--state-dir", directory])
        #expect(down.status == 0, "\(down.stderr)")
        #expect(down.stdout.contains("redis-cluster: stopped"), "\(down.stdout)")
        #expect(LocalRedisCluster.running(directory: record.redis.directory) == nil)
        for index in 1...LocalRedisCluster.nodeCount {
            #expect(LocalRedis.running(directory: LocalRedisCluster.nodeDirectory(record.redis.directory, index)) == nil)
        }

        // Up again keeps the cluster and its data; --no-redis-cluster switches back to one Redis.
        let restarted = try StrataCLI.run(["up", "--state-dir", directory])
        #expect(restarted.status == 0, "\(restarted.stderr)")
        let kept = try RedisCluster(url: RedisClusterURL(cluster.url))
        #expect(try kept.command("GET", "k:{a}").string == "1")
        let single = try StrataCLI.run(["up", "--no-redis-cluster", "--state-dir", directory])
        #expect(single.status == 0, "\(single.stderr)")
        #expect(LocalRedisCluster.running(directory: record.redis.directory) == nil)
        #expect(try #require(try ServicesRecord.read(from: directory)).redis.name == "redis")
    }

    @Test func upTwiceThenDown() throws {
        defer { cleanUp() }
        let first = try LocalServices.up(directory: directory)
        #expect(first.directory == directory)
        #expect(first.postgres.state == .started)
        #expect(first.redis.state == .started)
        let postgresPassword = try String(contentsOfFile: "\(directory)/postgres.password", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let redisPassword = try String(contentsOfFile: "\(directory)/redis.password", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(first.postgres.url == "postgresql://postgres:\(postgresPassword)@127.0.0.1:\(first.postgres.port)/strata")
        #expect(first.redis.url == "redis://:\(redisPassword)@127.0.0.1:\(first.redis.port)/0")
        #expect(first.postgres.redactedURL == "postgresql://postgres:***@127.0.0.1:\(first.postgres.port)/strata")
        #expect(first.redis.redactedURL == "redis://:***@127.0.0.1:\(first.redis.port)/0")
        #expect(first.postgres.directory == "\(directory)/pg")
        #expect(first.redis.directory == "\(directory)/redis")
        #expect(first.postgres.logFile == "\(directory)/pg/postgres.log")
        #expect(first.redis.logFile == "\(directory)/redis/redis.log")

        #expect(try query(first.postgres.url, "SELECT current_database()") == "strata")
        #expect(try RedisConnection(url: RedisURL(first.redis.url)).command("PING") == .status("PONG"))

        let second = try LocalServices.up(directory: directory)
        #expect(second.postgres.state == .alreadyRunning)
        #expect(second.redis.state == .alreadyRunning)
        #expect(second.postgres.pid == first.postgres.pid)
        #expect(second.redis.pid == first.redis.pid)
        #expect(second.postgres.port == first.postgres.port)
        #expect(second.redis.port == first.redis.port)

        let running = try #require(try LocalServices.status(directory: directory))
        #expect(running.postgres.state == .running)
        #expect(running.redis.state == .running)

        let stopped = try LocalServices.down(directory: directory)
        #expect(stopped.map(\.name).sorted() == ["postgres", "redis"])
        #expect(stopped.allSatisfy { $0.state == .stopped })
        let after = try #require(try LocalServices.status(directory: directory))
        #expect(after.postgres.state == .stopped && after.postgres.pid == nil)
        #expect(after.redis.state == .stopped && after.redis.pid == nil)
        #expect(try LocalServices.down(directory: directory).isEmpty)
        #expect(FileManager.default.fileExists(atPath: "\(directory)/pg/data/PG_VERSION"))
    }

    @Test func servicesFileRecordsURLsPortsPidsAndFolders() throws {
        defer { cleanUp() }
        let services = try LocalServices.up(directory: directory)
        let data = try Data(contentsOf: URL(fileURLWithPath: "\(directory)/services.json"))
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(json["directory"] as? String == directory)
        for (key, record) in [("postgres", services.postgres), ("redis", services.redis)] {
            let entry = try #require(json[key] as? [String: Any])
            #expect(entry["name"] as? String == key)
            #expect(entry["url"] as? String == record.redactedURL)
            #expect(entry["passwordFile"] as? String == record.passwordFile)
            #expect(entry["port"] as? Int == record.port)
            #expect((entry["pid"] as? Int).map(Int32.init) == record.pid)
            #expect(entry["directory"] as? String == record.directory)
            #expect(entry["logFile"] as? String == record.logFile)
            #expect(entry["state"] == nil)
        }
        #expect(try ServicesRecord.read(from: directory)?.postgres.url == services.postgres.redactedURL)
        #expect(try LocalServices.status(directory: directory)?.postgres.url == services.postgres.url)
    }

    @Test func crashedServicesStartAgainOnTheirData() throws {
        defer { cleanUp() }
        let first = try LocalServices.up(directory: directory)
        try PostgresConnection(url: first.postgres.url).executeScript("CREATE TABLE kept (v int); INSERT INTO kept VALUES (42)")
        kill(try #require(first.postgres.pid), SIGKILL)
        kill(try #require(first.redis.pid), SIGKILL)
        #expect(FileManager.default.fileExists(atPath: "\(directory)/pg/data/postmaster.pid"))
        #expect(FileManager.default.fileExists(atPath: "\(directory)/redis/redis.pid"))
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(10)
        var status = try #require(try LocalServices.status(directory: directory))
        while (status.postgres.state, status.redis.state) != (.stopped, .stopped) && clock.now < deadline {
            usleep(50_000)
            status = try #require(try LocalServices.status(directory: directory))
        }
        #expect(status.postgres.state == .stopped)
        #expect(status.redis.state == .stopped)

        let second = try LocalServices.up(directory: directory)
        #expect(second.postgres.state == .started)
        #expect(second.redis.state == .started)
        #expect(second.postgres.pid != first.postgres.pid)
        #expect(try query(second.postgres.url, "SELECT v FROM kept") == "42")
    }

    @Test func stalePidFilesOfDeadProcessesAreReplaced() throws {
        defer { cleanUp() }
        let first = try LocalServices.up(directory: directory)
        try LocalServices.down(directory: directory)
        let deadPID = "4000000"
        let lock = [deadPID, "\(directory)/pg/data", "0", String(first.postgres.port), "", "127.0.0.1", "0", "ready"]
        try lock.joined(separator: "\n").write(toFile: "\(directory)/pg/data/postmaster.pid", atomically: true, encoding: .utf8)
        try deadPID.write(toFile: "\(directory)/redis/redis.pid", atomically: true, encoding: .utf8)
        #expect(try LocalServices.status(directory: directory)?.postgres.state == .stopped)

        let second = try LocalServices.up(directory: directory)
        #expect(second.postgres.state == .started)
        #expect(second.redis.state == .started)
        #expect(try RedisConnection(url: RedisURL(second.redis.url)).command("PING") == .status("PONG"))
    }

    @Test(.enabled(if: geteuid() == 0, "only root hands PostgreSQL to another user"))
    func aFolderPostgresCannotEnterMovesTheClusterUnderVarTmp() throws {
        chmod(scratch, 0o700)
        let record = try LocalServices.up(directory: directory)
        defer {
            cleanUp()
            try? FileManager.default.removeItem(atPath: (record.postgres.directory as NSString).deletingLastPathComponent)
        }
        #expect(record.postgres.directory.hasPrefix("/var/tmp/strata-"))
        #expect(record.redis.directory.hasPrefix(scratch))
        #expect(try query(record.postgres.url, "SELECT 1") == "1")
        #expect(try LocalServices.status(directory: directory)?.postgres.state == .running)
        #expect(try LocalServices.down(directory: directory).map(\.name).sorted() == ["postgres", "redis"])
    }
}

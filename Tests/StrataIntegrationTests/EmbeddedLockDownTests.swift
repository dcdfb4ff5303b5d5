import Foundation
import StrataEmbedded
import StrataPostgres
import StrataRedis
import StrataTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `strata up`'s services refuse other local users: passwords on every connection, private folders and files.
@Suite("Embedded services locked down", .enabled(if: TestServices.enabled))
struct EmbeddedLockDownTests {
    let scratch = "/tmp/strata-lockdown-test-\(UUID().uuidString.prefix(8))"
    var directory: String { "\(scratch)/.strata" }

    init() throws {
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
    }

    private func cleanUp() {
        _ = try? LocalServices.down(directory: directory)
        try? FileManager.default.removeItem(atPath: scratch)
    }

    private func mode(_ path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return try #require(attributes[.posixPermissions] as? Int)
    }

    @Test(.enabled(if: OtherUser.available, "needs root, setpriv and the user nobody"))
    func anotherLocalUserCanNeitherConnectNorReadThePasswords() throws {
        defer { cleanUp() }
        let services = try LocalServices.up(directory: directory)
        try OtherUser.expectLockedOut(services: services, directory: directory)

        // The owner gets through with no flags: the URLs Strata uses carry the passwords. The services were
        // started in-process, not by `strata up`, so the registry is migrated first.
        let migrated = try StrataCLI.run(["migrate", "--state-dir", directory])
        #expect(migrated.status == 0, "\(migrated.stderr)")
        let listed = try StrataCLI.run(["list", "--state-dir", directory])
        #expect(listed.status == 0, "\(listed.stderr)")
        #expect(try PostgresConnection(url: services.postgres.url).execute("SELECT 1").string(0, 0) == "1")
        #expect(try RedisConnection(url: RedisURL(services.redis.url)).command("PING") == .status("PONG"))
    }

    @Test func foldersAndFilesArePrivateAndNoOutputShowsAPassword() throws {
        defer { cleanUp() }
        let up = try StrataCLI.run(["up", "--state-dir", directory])
        #expect(up.status == 0, "\(up.stderr)")
        let json = try StrataCLI.run(["up", "--json", "--state-dir", directory])
        let postgresPassword = try password(in: "postgres.password")
        let redisPassword = try password(in: "redis.password")
        #expect(postgresPassword.count >= 32 && redisPassword.count >= 32 && postgresPassword != redisPassword)
        let services = try #require(try LocalServices.status(directory: directory))
        let down = try StrataCLI.run(["down", "--state-dir", directory])
        for text in [up.stdout, up.stderr, json.stdout, json.stderr, down.stdout, down.stderr,
                     try String(contentsOfFile: "\(directory)/services.json", encoding: .utf8),
                     "\(services.postgres)", "\(services.redis)", services.postgres.redactedURL, services.redis.redactedURL] {
            #expect(!text.contains(postgresPassword) && !text.contains(redisPassword), "\(text)")
        }
        #expect(up.stdout.contains("postgresql://postgres:***@127.0.0.1:"))

        let root = try mode(directory)
        #expect(root & 0o077 == 0 || (geteuid() == 0 && root == 0o710), "state folder mode \(String(root, radix: 8))")
        for file in ["postgres.password", "redis.password", "services.json", "redis/redis.conf"] {
            #expect(try mode("\(directory)/\(file)") == 0o600, "\(file)")
        }
        for folder in [services.postgres.directory, "\(services.postgres.directory)/run", services.redis.directory] {
            #expect(try mode(folder) == 0o700, "\(folder)")
        }
        let config = try String(contentsOfFile: "\(directory)/redis/redis.conf", encoding: .utf8)
        #expect(config.contains("requirepass \"\(redisPassword)\""))
        #expect(config.contains("bind 127.0.0.1"))
    }

    @Test func passwordsAreKeptAcrossDownAndUp() throws {
        defer { cleanUp() }
        let first = try LocalServices.up(directory: directory)
        let passwords = (try password(in: "postgres.password"), try password(in: "redis.password"))
        try LocalServices.down(directory: directory)
        let second = try LocalServices.up(directory: directory)
        #expect(second.postgres.state == .started && second.redis.state == .started)
        #expect(try password(in: "postgres.password") == passwords.0)
        #expect(try password(in: "redis.password") == passwords.1)
        #expect(second.postgres.url == first.postgres.url || second.postgres.port != first.postgres.port)
        #expect(try PostgresConnection(url: second.postgres.url).execute("SELECT 1").string(0, 0) == "1")
        #expect(try RedisConnection(url: RedisURL(second.redis.url)).command("PING") == .status("PONG"))
    }

    @Test func aLostPasswordFileGetsANewPasswordThatWorks() throws {
        defer { cleanUp() }
        _ = try LocalServices.up(directory: directory)
        let old = try password(in: "postgres.password")
        try FileManager.default.removeItem(atPath: "\(directory)/postgres.password")
        let again = try LocalServices.up(directory: directory)
        #expect(again.postgres.state == .started)
        #expect(try password(in: "postgres.password") != old)
        #expect(try PostgresConnection(url: again.postgres.url).execute("SELECT 1").string(0, 0) == "1")
    }

    /// A `.strata/` as older versions left it, with both servers running: PostgreSQL trusting every local
    /// connection, Redis without a password or an append-only file, the folder open to all.
    @Test func aFolderMadeByAnOlderStrataIsLockedDownKeepingItsData() throws {
        defer { cleanUp() }
        let old = try OldLayout.start(directory: directory)
        #expect(try mode(directory) == 0o755)
        let openRedis = try RedisConnection(url: RedisURL(old.redis.url))
        _ = try openRedis.command("SET", "kept", "yes")

        let services = try LocalServices.up(directory: directory)
        #expect(services.postgres.state == .started)
        #expect(services.redis.state == .started)
        #expect(try PostgresConnection(url: services.postgres.url).execute("SELECT v FROM kept").string(0, 0) == "42")
        #expect(try RedisConnection(url: RedisURL(services.redis.url)).command("GET", "kept").string == "yes")
        #expect(throws: PostgresError.self) {
            try PostgresConnection(url: "postgresql://postgres@127.0.0.1:\(services.postgres.port)/strata")
        }
        #expect(throws: RedisError.self) {
            try RedisConnection(url: RedisURL("redis://127.0.0.1:\(services.redis.port)/0")).command("GET", "kept")
        }
        let root = try mode(directory)
        #expect(root & 0o077 == 0 || (geteuid() == 0 && root == 0o710))
        if OtherUser.available { try OtherUser.expectLockedOut(services: services, directory: directory) }
    }

    private func password(in file: String) throws -> String {
        try String(contentsOfFile: "\(directory)/\(file)", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// Another local user (`nobody`), impersonated with `setpriv` by a test running as root.
enum OtherUser {
    static var available: Bool {
        geteuid() == 0 && getpwnam("nobody") != nil && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")
    }

    /// Runs `arguments` as nobody and returns its exit status and combined output.
    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, output: String) {
        guard let entry = getpwnam("nobody") else { throw TestServices.Failure(description: "no user nobody") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
        process.arguments = ["--reuid=\(entry.pointee.pw_uid)", "--regid=\(entry.pointee.pw_gid)", "--clear-groups", "--"]
            + arguments
        process.environment = ["PATH": "/usr/bin:/bin", "HOME": "/tmp"].merging(environment) { _, new in new }
        process.currentDirectoryURL = URL(fileURLWithPath: "/tmp")
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// Checks that nobody reaches neither server (TCP, the Unix socket, a guessed password) nor the passwords.
    static func expectLockedOut(services: ServicesRecord, directory: String) throws {
        let psql = try PostgresBinaries.locate().path("psql")
        let port = String(services.postgres.port)
        let tcp = try run([psql, "-X", "-w", "-h", "127.0.0.1", "-p", port, "-U", "postgres", "-d", "strata", "-c", "SELECT 1"])
        #expect(tcp.status != 0 && tcp.output.contains("no password supplied"), "\(tcp.output)")
        let guessed = try run(
            [psql, "-X", "-w", "-h", "127.0.0.1", "-p", port, "-U", "postgres", "-d", "strata", "-c", "SELECT 1"],
            environment: ["PGPASSWORD": "postgres"])
        #expect(guessed.status != 0 && guessed.output.contains("password authentication failed"), "\(guessed.output)")
        let lock = try String(contentsOfFile: "\(services.postgres.directory)/data/postmaster.pid", encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: false)
        let socketFolders = lock.count > 4 ? lock[4].split(separator: ",").map(String.init).filter { !$0.isEmpty } : []
        for folder in socketFolders + ["/tmp", "/var/run/postgresql"] {
            let socket = try run([psql, "-X", "-w", "-h", folder, "-p", port, "-U", "postgres", "-d", "strata", "-c", "SELECT 1"])
            #expect(socket.status != 0 && !socket.output.contains("(1 row)"), "\(folder): \(socket.output)")
        }
        for folder in socketFolders {
            #expect(folder.hasPrefix(services.postgres.directory), "socket folder \(folder) outside the private folder")
        }

        let redis = try run(["redis-cli", "-h", "127.0.0.1", "-p", String(services.redis.port), "PING"])
        #expect(redis.output.contains("NOAUTH") && !redis.output.contains("PONG"), "\(redis.output)")

        for file in ["postgres.password", "redis.password", "redis/redis.conf", "services.json"] {
            let read = try run(["cat", "\(directory)/\(file)"])
            #expect(read.status != 0, "nobody read \(file)")
        }
    }
}

/// The state folder of older versions, made by hand: a cluster created with trust authentication holding the
/// table `kept`, and a running Redis with neither password nor persistence, the folder of mode 0755.
///
/// The cluster is filled in single-user mode rather than started: Foundation's `Process` would wait for a daemon
/// that `pg_ctl start` leaves behind (see `ProcessRunner`).
struct OldLayout {
    var redis: LocalRedis

    static func start(directory: String) throws -> OldLayout {
        let binaries = try PostgresBinaries.locate()
        let folder = "\(directory)/pg"
        try FileManager.default.createDirectory(atPath: "\(folder)/run", withIntermediateDirectories: true)
        chmod(directory, 0o755)
        let asPostgres = geteuid() == 0
        if asPostgres {
            for path in [folder, "\(folder)/run"] { chown(path, try uid("postgres"), try gid("postgres")) }
        }
        func run(_ program: String, _ arguments: [String], input: String? = nil) throws {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: asPostgres ? "/usr/sbin/runuser" : binaries.path(program))
            process.arguments = asPostgres ? ["-u", "postgres", "--", binaries.path(program)] + arguments : arguments
            process.currentDirectoryURL = URL(fileURLWithPath: folder)
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            let stdin = Pipe()
            process.standardInput = stdin
            try process.run()
            stdin.fileHandleForWriting.write(Data((input ?? "").utf8))
            try stdin.fileHandleForWriting.close()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                throw TestServices.Failure(description: "\(program) \(arguments) exited with \(process.terminationStatus)")
            }
        }
        try run("initdb", ["-D", "\(folder)/data", "--auth=trust", "-U", "postgres", "-E", "UTF8", "--no-locale"])
        try run("postgres", ["--single", "-D", "\(folder)/data", "postgres"], input: "CREATE DATABASE strata;\n")
        try run(
            "postgres", ["--single", "-D", "\(folder)/data", "strata"],
            input: "CREATE TABLE kept (v int);\nINSERT INTO kept VALUES (42);\n")
        let redis = try LocalRedis.start(directory: "\(directory)/redis", password: nil, persistent: false)
        return OldLayout(redis: redis)
    }

    private static func uid(_ name: String) throws -> uid_t {
        guard let entry = getpwnam(name) else { throw TestServices.Failure(description: "no user \(name)") }
        return entry.pointee.pw_uid
    }

    private static func gid(_ name: String) throws -> gid_t {
        guard let entry = getpwnam(name) else { throw TestServices.Failure(description: "no user \(name)") }
        return entry.pointee.pw_gid
    }
}

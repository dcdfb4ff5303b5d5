import Foundation

/// The embedded default: a local PostgreSQL and Redis under one folder (`.strata/`), started by `strata up`.
///
/// The folder holds `pg/` (PostgreSQL's cluster and log), `redis/` (Redis's settings and log) and
/// `services.json` (URLs, ports, pids and folders). Data survives `down` and `up`; ports are kept when free.
public enum LocalServices {
    /// The folder used when none is given.
    public static let defaultDirectory = ".strata"
    /// The database created on the local PostgreSQL.
    public static let database = "strata"

    /// Starts whichever of the two services is not running and records both in `services.json`.
    ///
    /// Idempotent: a service whose pid is alive and whose port answers is reported as `.alreadyRunning`;
    /// one that died (leaving stale pid files) is started again on its data.
    public static func up(directory: String = defaultDirectory) throws -> ServicesRecord {
        let root = Paths.absolute(directory)
        try Paths.createDirectory(root)
        let previous = try? ServicesRecord.read(from: root)

        let postgresFolder = try postgresDirectory(root: root)
        var startedPostgres: LocalPostgres?
        let postgres: ServiceRecord
        if let running = LocalPostgres.running(directory: postgresFolder, database: database) {
            postgres = record(running, .alreadyRunning)
        } else {
            let server = try LocalPostgres.start(
                directory: postgresFolder, port: reusable(previous?.postgres.port), database: database)
            startedPostgres = server
            postgres = record(server, .started)
        }

        let redis: ServiceRecord
        do {
            let redisFolder = "\(root)/redis"
            if let running = LocalRedis.running(directory: redisFolder) {
                redis = record(running, .alreadyRunning)
            } else {
                redis = record(
                    try LocalRedis.start(directory: redisFolder, port: reusable(previous?.redis.port)), .started)
            }
        } catch {
            try? startedPostgres?.stop()
            throw error
        }

        let result = ServicesRecord(directory: root, postgres: postgres, redis: redis)
        try result.write()
        return result
    }

    /// Stops both services, keeping their data, and returns the ones it stopped (none when nothing ran).
    @discardableResult
    public static func down(directory: String = defaultDirectory) throws -> [ServiceRecord] {
        let root = Paths.absolute(directory)
        var stopped: [ServiceRecord] = []
        var failure: (any Error)?
        if let server = LocalPostgres.running(directory: try postgresDirectory(root: root), database: database) {
            do {
                try server.stop()
                stopped.append(record(server, .stopped))
            } catch {
                failure = error
            }
        }
        if let server = LocalRedis.running(directory: "\(root)/redis") {
            do {
                try server.stop()
                stopped.append(record(server, .stopped))
            } catch {
                failure = failure ?? error
            }
        }
        if var services = try ServicesRecord.read(from: root) {
            for service in stopped {
                if service.name == services.postgres.name { services.postgres.pid = nil }
                if service.name == services.redis.name { services.redis.pid = nil }
            }
            try services.write()
        }
        if let failure { throw failure }
        return stopped
    }

    /// The recorded services of `directory` with their current state; nil when `up` never ran there.
    public static func status(directory: String = defaultDirectory) throws -> ServicesRecord? {
        guard var services = try ServicesRecord.read(from: Paths.absolute(directory)) else { return nil }
        if let server = LocalPostgres.running(directory: services.postgres.directory, database: database) {
            services.postgres = record(server, .running)
        } else {
            services.postgres.state = .stopped
        }
        if let server = LocalRedis.running(directory: services.redis.directory) {
            services.redis = record(server, .running)
        } else {
            services.redis.state = .stopped
        }
        return services
    }

    /// Where the PostgreSQL cluster of `root` lives: `root/pg`, unless the server must run as another
    /// user (Strata runs as root) who cannot enter a folder above `root` (a home folder of mode 700,
    /// say); then a folder of its own under /var/tmp, named after `root`, so that `up` works anywhere.
    static func postgresDirectory(root: String) throws -> String {
        let local = "\(root)/pg"
        guard let account = try ServiceAccount.forPostgres(), (try? account.checkCanReach(local)) == nil else {
            return local
        }
        let tag = String(UInt64(bitPattern: Int64(root.utf8.reduce(Int64(5381)) { ($0 &* 33) &+ Int64($1) })), radix: 36)
        let fallback = "/var/tmp/strata-\(tag)"
        try FileManager.default.createDirectory(
            atPath: fallback, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        return "\(fallback)/pg"
    }

    private static func reusable(_ port: Int?) -> Int? {
        port.flatMap { Loopback.isFree($0) ? $0 : nil }
    }

    private static func record(_ server: LocalPostgres, _ state: ServiceState) -> ServiceRecord {
        ServiceRecord(
            name: "postgres", url: server.url, port: server.port, pid: server.pid, directory: server.directory,
            logFile: server.logFile, state: state)
    }

    private static func record(_ server: LocalRedis, _ state: ServiceState) -> ServiceRecord {
        ServiceRecord(
            name: "redis", url: server.url, port: server.port, pid: server.pid, directory: server.directory,
            logFile: server.logFile, state: state)
    }
}

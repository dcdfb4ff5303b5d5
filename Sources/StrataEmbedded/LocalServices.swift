import Foundation

/// The embedded default: a local PostgreSQL and Redis under one folder (`.strata/`), started by `strata up`.
///
/// The folder (mode 0700) holds `pg/` (PostgreSQL's cluster and log), `redis/` (Redis's settings, append-only
/// file and log), the two passwords (`postgres.password`, `redis.password`, mode 0600) and `services.json`
/// (URLs without passwords, ports, pids and folders). Both services require their password and listen on
/// 127.0.0.1 only. Data survives `down` and `up`; ports are kept when free.
///
/// With `redisCluster`, the online store is a local Redis Cluster instead (`redis-cluster/`, three masters and
/// three replicas, `LocalRedisCluster`), recorded as the service `redis-cluster` with a `redis+cluster://` URL;
/// the single Redis is stopped (its data kept). Without the option, `up` keeps the online store the folder has;
/// `redisCluster: false` switches back to the single Redis (stopping the cluster, its data kept).
public enum LocalServices {
    /// The folder used when none is given.
    public static let defaultDirectory = ".strata"
    /// The database created on the local PostgreSQL.
    public static let database = "strata"

    /// Starts whichever of the two services is not running and records both in `services.json`.
    ///
    /// Idempotent: a service whose pid is alive and whose port answers is reported as `.alreadyRunning`;
    /// one that died (leaving stale pid files) is started again on its data. A folder made by an older Strata
    /// (services open to every local user, Redis without an append-only file) is locked down: its folder and files
    /// made private, PostgreSQL given a password, Redis restarted with one after writing its data to disk.
    public static func up(directory: String = defaultDirectory, redisCluster: Bool? = nil) throws -> ServicesRecord {
        let root = Paths.absolute(directory)
        try Paths.createPrivateDirectory(root, passableBy: try ServiceAccount.forPostgres())
        let credentials = try LocalCredentials.load(from: root)
        let previous = try? ServicesRecord.read(from: root)
        let usesCluster = redisCluster ?? (previous?.redis.name == clusterServiceName)

        let postgresFolder = try postgresDirectory(root: root)
        var startedPostgres: LocalPostgres?
        let postgres: ServiceRecord
        let runningPostgres = LocalPostgres.running(
            directory: postgresFolder, database: database, password: credentials.postgresPassword)
        if let running = runningPostgres, LocalPostgres.requiresPassword(directory: postgresFolder),
           !credentials.postgresPasswordIsNew {
            postgres = record(running, .alreadyRunning, root: root)
        } else {
            try runningPostgres?.stop()
            let server = try LocalPostgres.start(
                directory: postgresFolder, port: reusable(runningPostgres?.port ?? previous?.postgres.port),
                database: database, password: credentials.postgresPassword,
                resettingPassword: credentials.postgresPasswordIsNew)
            startedPostgres = server
            postgres = record(server, .started, root: root)
        }

        let redis: ServiceRecord
        do {
            let redisFolder = "\(root)/redis"
            let runningRedis = LocalRedis.running(directory: redisFolder)
            if usesCluster {
                if let running = runningRedis {
                    if !running.persistent { try running.enableAppendOnlyFile() }
                    try running.stop()
                }
                redis = try upCluster(root: root, password: credentials.redisPassword)
            } else {
                try LocalRedisCluster.running(directory: clusterDirectory(root: root))?.stop()
                redis = try upRedis(
                    root: root, running: runningRedis, previousPort: previous.flatMap { $0.redis.name == clusterServiceName ? nil : $0.redis.port }, password: credentials.redisPassword)
            }
        } catch {
            try? startedPostgres?.stop()
            throw error
        }

        let result = ServicesRecord(directory: root, postgres: postgres, redis: redis)
        try result.write()
        return result
    }

    /// The single Redis of `root`: kept when it runs persistent with the right password, else (re)started.
    private static func upRedis(
        root: String, running runningRedis: LocalRedis?, previousPort: Int?, password: String
    ) throws -> ServiceRecord {
        if let running = runningRedis, running.password == password, running.persistent {
            return record(running, .alreadyRunning, root: root)
        }
        if let running = runningRedis {
            if !running.persistent { try running.enableAppendOnlyFile() }
            try running.stop()
        }
        let server = try LocalRedis.start(
            directory: "\(root)/redis", port: reusable(runningRedis?.port ?? previousPort), password: password,
            persistent: true)
        return record(server, .started, root: root)
    }

    /// The Redis Cluster of `root`: kept when every node runs persistent with the right password, else its
    /// missing nodes started (and the cluster formed, the first time).
    private static func upCluster(root: String, password: String) throws -> ServiceRecord {
        let folder = clusterDirectory(root: root)
        if let running = LocalRedisCluster.running(directory: folder), running.password == password, running.persistent {
            return record(running, .alreadyRunning, root: root)
        }
        let cluster = try LocalRedisCluster.start(directory: folder, password: password, persistent: true)
        return record(cluster, .started, root: root)
    }

    /// Where the local Redis Cluster of `root` lives.
    static func clusterDirectory(root: String) -> String { "\(root)/redis-cluster" }

    /// Stops both services, keeping their data, and returns the ones it stopped (none when nothing ran).
    ///
    /// PostgreSQL stops with a fast shutdown (a checkpoint, nothing lost); Redis with SIGTERM, after which it
    /// writes its append-only file to disk, so every value written before `down` is there after `up` (a Redis
    /// started by an older Strata, without that file, writes one first).
    @discardableResult
    public static func down(directory: String = defaultDirectory) throws -> [ServiceRecord] {
        let root = Paths.absolute(directory)
        let password = LocalCredentials.existing(in: root)?.postgresPassword ?? ""
        var stopped: [ServiceRecord] = []
        var failure: (any Error)?
        if let server = LocalPostgres.running(
            directory: try postgresDirectory(root: root), database: database, password: password) {
            do {
                try server.stop()
                stopped.append(record(server, .stopped, root: root))
            } catch {
                failure = error
            }
        }
        if let server = LocalRedis.running(directory: "\(root)/redis") {
            do {
                if !server.persistent { try server.enableAppendOnlyFile() }
                try server.stop()
                stopped.append(record(server, .stopped, root: root))
            } catch {
                failure = failure ?? error
            }
        }
        if let cluster = LocalRedisCluster.running(directory: clusterDirectory(root: root)) {
            do {
                try cluster.stop()
                stopped.append(record(cluster, .stopped, root: root))
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
    ///
    /// The URLs of running services carry their passwords (read from the folder), so that every verb reaches them
    /// without flags; stopped ones carry none.
    public static func status(directory: String = defaultDirectory) throws -> ServicesRecord? {
        let root = Paths.absolute(directory)
        guard var services = try ServicesRecord.read(from: root) else { return nil }
        let credentials = LocalCredentials.existing(in: root)
        if let server = LocalPostgres.running(
            directory: services.postgres.directory, database: database,
            password: credentials?.postgresPassword ?? "") {
            services.postgres = record(server, .running, root: root)
        } else {
            services.postgres.state = .stopped
        }
        if services.redis.name == clusterServiceName {
            if let cluster = LocalRedisCluster.running(directory: services.redis.directory) {
                services.redis = record(cluster, .running, root: root)
            } else {
                services.redis.state = .stopped
            }
        } else if let server = LocalRedis.running(directory: services.redis.directory) {
            services.redis = record(server, .running, root: root)
        } else {
            services.redis.state = .stopped
        }
        return services
    }

    /// Where the PostgreSQL cluster of `root` lives: `root/pg`, unless the server must run as another
    /// user (Strata runs as root) who cannot enter a folder above `root` (a home folder of mode 700,
    /// say); then a folder of its own under /var/tmp, named after `root` and as private as `root`, so that `up`
    /// works anywhere.
    static func postgresDirectory(root: String) throws -> String {
        let local = "\(root)/pg"
        guard let account = try ServiceAccount.forPostgres(), (try? account.checkCanReach(local)) == nil else {
            return local
        }
        let tag = String(UInt64(bitPattern: Int64(root.utf8.reduce(Int64(5381)) { ($0 &* 33) &+ Int64($1) })), radix: 36)
        let fallback = "/var/tmp/strata-\(tag)"
        try Paths.createPrivateDirectory(fallback, passableBy: account, followingLinks: false)
        return "\(fallback)/pg"
    }

    private static func reusable(_ port: Int?) -> Int? {
        port.flatMap { Loopback.isFree($0) ? $0 : nil }
    }

    private static func record(_ server: LocalPostgres, _ state: ServiceState, root: String) -> ServiceRecord {
        ServiceRecord(
            name: "postgres", url: server.url, redactedURL: server.redactedURL, port: server.port, pid: server.pid,
            directory: server.directory, logFile: server.logFile,
            passwordFile: LocalCredentials.postgresFile(in: root), state: state)
    }

    /// The name of the online store's record when it is a Redis Cluster.
    public static let clusterServiceName = "redis-cluster"

    /// A cluster's record: its `redis+cluster://` URL, its first node's port, pid and log, its folder.
    private static func record(_ cluster: LocalRedisCluster, _ state: ServiceState, root: String) -> ServiceRecord {
        ServiceRecord(
            name: clusterServiceName, url: cluster.url, redactedURL: cluster.redactedURL, port: cluster.ports[0],
            pid: cluster.nodes[0].pid, directory: cluster.directory, logFile: cluster.nodes[0].logFile,
            passwordFile: LocalCredentials.redisFile(in: root), state: state)
    }

    private static func record(_ server: LocalRedis, _ state: ServiceState, root: String) -> ServiceRecord {
        ServiceRecord(
            name: "redis", url: server.url, redactedURL: server.redactedURL, port: server.port, pid: server.pid,
            directory: server.directory, logFile: server.logFile, passwordFile: LocalCredentials.redisFile(in: root),
            state: state)
    }
}

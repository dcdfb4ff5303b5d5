import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A PostgreSQL server owned by Strata, living in one folder (`data/`, `run/`, `postgres.log`) on a loopback port.
///
/// Every connection needs the password of the superuser `postgres` (SCRAM-SHA-256), over TCP on 127.0.0.1 and
/// over the Unix socket, which lives in `run/` inside the folder (mode 0700), so no other local user reaches it.
/// When Strata runs as root the server runs as the system's `postgres` user, which must be able to reach the folder.
public struct LocalPostgres: Sendable, Hashable, CustomStringConvertible {
    /// The folder holding the server's files.
    public let directory: String
    /// The TCP port on 127.0.0.1.
    public let port: Int
    /// The postmaster's process id.
    public let pid: Int32
    /// The database that `url` names.
    public let database: String
    /// The password of the superuser `postgres`; never print it.
    public let password: String

    /// The superuser Strata connects as.
    public static let user = "postgres"

    /// The libpq URI of `database`, with the password: hand it to libpq, never print it.
    public var url: String {
        let secret = password.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? password
        return "postgresql://\(Self.user):\(secret)@127.0.0.1:\(port)/\(database)"
    }
    /// The libpq URI of `database` with the password hidden, for messages.
    public var redactedURL: String { "postgresql://\(Self.user):***@127.0.0.1:\(port)/\(database)" }
    /// The data folder (`PGDATA`).
    public var dataDirectory: String { "\(directory)/data" }
    /// The folder of the server's Unix socket.
    public var socketDirectory: String { "\(directory)/run" }
    /// The server's log file.
    public var logFile: String { "\(directory)/postgres.log" }
    /// The server, its URL without the password.
    public var description: String { "PostgreSQL at \(redactedURL) (pid \(pid), folder \(directory))" }

    /// The server running on `directory`'s data folder, if its lock file names a live postmaster that answers.
    ///
    /// - Parameter password: the password `url` carries; this does not check that the server accepts it.
    public static func running(directory: String, database: String = "strata", password: String) -> LocalPostgres? {
        let directory = Paths.absolute(directory)
        guard let lock = LockFile(dataDirectory: "\(directory)/data"),
              ProcessProbe.isAlive(lock.pid, runningOneOf: postmasterNames),
              Loopback.accepts(lock.port)
        else { return nil }
        return LocalPostgres(
            directory: directory, port: lock.port, pid: lock.pid, database: database, password: password)
    }

    /// Whether the cluster in `directory` requires passwords: its `pg_hba.conf` is the one Strata writes.
    ///
    /// Clusters made by Strata before passwords were required trust every local connection.
    public static func requiresPassword(directory: String) -> Bool {
        guard let rules = try? String(contentsOfFile: "\(Paths.absolute(directory))/data/pg_hba.conf", encoding: .utf8)
        else { return false }
        return rules.hasPrefix(hostBasedRules.prefix { $0 != "\n" })
    }

    /// Starts a server on `directory` (creating its cluster on first use) and creates `database` if missing.
    ///
    /// A cluster made without a password (by an older Strata) gets `password` and the password-only rules before
    /// it starts, and so does any cluster when `resettingPassword` is true (its password file was lost).
    ///
    /// - Parameters:
    ///   - port: the port to use, which must be free; nil picks a free one.
    ///   - password: the password the superuser `postgres` must give.
    ///   - settings: server settings given on the command line (`-c name=value`), such as `max_connections`;
    ///     names and values of letters, digits, `_` and `.` only.
    public static func start(
        directory: String, port: Int? = nil, database: String = "strata", password: String,
        resettingPassword: Bool = false, settings: [String: String] = [:]
    ) throws -> LocalPostgres {
        let directory = Paths.absolute(directory)
        let binaries = try PostgresBinaries.locate()
        let account = try ServiceAccount.forPostgres()
        let dataDirectory = "\(directory)/data"
        let socketDirectory = "\(directory)/run"
        for folder in [directory, socketDirectory] {
            try createFolder(folder, for: account)
        }
        try account?.checkCanReach(directory)

        try removeStaleLocks(dataDirectory: dataDirectory, socketDirectory: socketDirectory)
        if !FileManager.default.fileExists(atPath: "\(dataDirectory)/PG_VERSION") {
            try createCluster(directory: directory, password: password, binaries: binaries, account: account)
        } else if resettingPassword || !requiresPassword(directory: directory) {
            try setPassword(directory: directory, password: password, binaries: binaries, account: account)
        }
        try writeHostBasedRules(dataDirectory: dataDirectory, account: account)

        let chosenPort = try Loopback.choosePort(port)
        let socketPath = "\(socketDirectory)/.s.PGSQL.\(chosenPort)"
        let sockets = socketPath.utf8.count < 100 ? shellQuoted(socketDirectory) : "''"
        let logFile = "\(directory)/postgres.log"
        let safe = { (text: String) in !text.isEmpty && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == ".") } }
        guard settings.allSatisfy({ safe($0.key) && safe($0.value) }) else {
            throw LocalServicesError(
                code: .startFailed, message: "PostgreSQL settings must be names and values of letters, digits, _ and . only: \(settings)")
        }
        let extra = settings.sorted { $0.key < $1.key }.map { " -c \($0.key)=\($0.value)" }.joined()
        let started = try ProcessRunner.run(
            binaries.path("pg_ctl"),
            [
                "start", "-w", "-t", "60", "-D", dataDirectory, "-l", logFile,
                "-o", "-p \(chosenPort) -k \(sockets) -c unix_socket_permissions=0700 -c listen_addresses=127.0.0.1\(extra)",
            ],
            as: account, in: directory)
        guard started.status == 0, let lock = LockFile(dataDirectory: dataDirectory) else {
            throw LocalServicesError(
                code: .startFailed,
                message: "PostgreSQL did not start on port \(chosenPort) (data in \(dataDirectory)); see \(logFile)",
                underlying: [started.text, ProcessRunner.tail(of: logFile)].joined(separator: "\n"))
        }
        let server = LocalPostgres(
            directory: directory, port: chosenPort, pid: lock.pid, database: database, password: password)
        do {
            try server.createDatabase(database, binaries: binaries)
        } catch {
            try? server.stop()
            throw error
        }
        return server
    }

    /// Stops the server (`pg_ctl stop -m fast`), keeping its data.
    public func stop() throws {
        let account = try ServiceAccount.forPostgres()
        let output = try ProcessRunner.run(
            try PostgresBinaries.locate().path("pg_ctl"),
            ["stop", "-w", "-t", "60", "-m", "fast", "-D", dataDirectory],
            as: account, in: directory)
        guard output.status == 0 || !ProcessProbe.isAlive(pid, runningOneOf: Self.postmasterNames) else {
            throw LocalServicesError(
                code: .commandFailed,
                message: "could not stop PostgreSQL (pid \(pid), data in \(dataDirectory)); stop it with: kill -INT \(pid)",
                underlying: output.text)
        }
    }

    private func createDatabase(_ name: String, binaries: PostgresBinaries) throws {
        let output = try ProcessRunner.run(
            binaries.path("createdb"), ["-w", "-h", "127.0.0.1", "-p", String(port), "-U", Self.user, name],
            environment: ["PGPASSWORD": password])
        guard output.status == 0 || output.text.contains("already exists") else {
            throw LocalServicesError(
                code: .commandFailed,
                message: "could not create the database \(name) on PostgreSQL at 127.0.0.1:\(port)",
                underlying: output.text)
        }
    }

    private static let postmasterNames: Set<String> = ["postgres", "postmaster"]

    /// `pg_hba.conf`: the password (SCRAM-SHA-256) for everyone, over the socket and over loopback TCP only.
    /// Its first line tells a cluster Strata locked down from one made by older versions, which trusted everyone.
    private static let hostBasedRules = """
        # Written by Strata: every connection gives the password (SCRAM-SHA-256); see docs/security.md.
        local   all   all                  scram-sha-256
        host    all   all   127.0.0.1/32   scram-sha-256
        host    all   all   ::1/128        scram-sha-256

        """

    private static func createFolder(_ path: String, for account: ServiceAccount?) throws {
        try Paths.createDirectory(path)
        try account?.own(path)
        guard chmod(path, 0o700) == 0 else {
            throw LocalServicesError(
                code: .directoryUnusable, message: "could not make \(path) private: \(String(cString: strerror(errno)))")
        }
    }

    /// Runs `initdb` with the superuser's password read from a private file, never from the command line.
    private static func createCluster(
        directory: String, password: String, binaries: PostgresBinaries, account: ServiceAccount?
    ) throws {
        let passwordFile = "\(directory)/initdb.password"
        try writeSecret(password + "\n", to: passwordFile, for: account)
        defer { unlink(passwordFile) }
        let dataDirectory = "\(directory)/data"
        try ProcessRunner.check(
            binaries.path("initdb"),
            [
                "-D", dataDirectory, "--auth=scram-sha-256", "--pwfile=\(passwordFile)", "-U", user, "-E", "UTF8",
                "--no-locale",
            ],
            as: account, in: directory, doing: "creating the PostgreSQL cluster in \(dataDirectory)")
    }

    /// Sets the superuser's password with the server stopped, in single-user mode (no network, no other client),
    /// the statement read from a private file so the password appears in no command line.
    private static func setPassword(
        directory: String, password: String, binaries: PostgresBinaries, account: ServiceAccount?
    ) throws {
        let statementFile = "\(directory)/set-password.sql"
        let literal = password.replacingOccurrences(of: "'", with: "''")
        try writeSecret("ALTER ROLE \(user) WITH PASSWORD '\(literal)';\n", to: statementFile, for: account)
        defer { unlink(statementFile) }
        let output = try ProcessRunner.run(
            binaries.path("postgres"),
            ["--single", "-D", "\(directory)/data", "-c", "password_encryption=scram-sha-256", "postgres"],
            as: account, in: directory, input: statementFile)
        guard output.status == 0, !output.text.contains("ERROR:") else {
            throw LocalServicesError(
                code: .commandFailed,
                message: "could not set the password of the PostgreSQL user \(user) in \(directory)/data (single-user mode)",
                underlying: output.text.replacingOccurrences(of: password, with: "***"))
        }
    }

    private static func writeHostBasedRules(dataDirectory: String, account: ServiceAccount?) throws {
        let path = "\(dataDirectory)/pg_hba.conf"
        if (try? String(contentsOfFile: path, encoding: .utf8)) == hostBasedRules { return }
        try writeSecret(hostBasedRules, to: path, for: account)
    }

    /// Writes a file only its owner can read, owned by `account` when PostgreSQL runs as that account.
    private static func writeSecret(_ text: String, to path: String, for account: ServiceAccount?) throws {
        try Paths.writePrivateFile(path, text)
        try account?.own(path)
    }

    /// Removes lock files left by a server that died without cleaning up; a live one is an error.
    ///
    /// A postmaster that was just killed stays alive for a moment after its port closes (the kernel tears down its
    /// memory first), and one in crash recovery does not answer yet: the holder gets `grace` to go away before it
    /// counts as live.
    private static func removeStaleLocks(
        dataDirectory: String, socketDirectory: String, grace: Duration = .seconds(10)
    ) throws {
        let lockPath = "\(dataDirectory)/postmaster.pid"
        if let pid = ProcessProbe.pid(inFile: lockPath),
           !ProcessProbe.wait(upTo: grace, until: { !ProcessProbe.isAlive(pid, runningOneOf: postmasterNames) }) {
            throw LocalServicesError(
                code: .startFailed,
                message: "a PostgreSQL server (pid \(pid)) holds \(dataDirectory) but does not answer; wait for it to finish starting, or stop it with: kill -INT \(pid)")
        }
        try? FileManager.default.removeItem(atPath: lockPath)
        let leftovers = (try? FileManager.default.contentsOfDirectory(atPath: socketDirectory)) ?? []
        for name in leftovers where name.hasPrefix(".s.PGSQL.") {
            try? FileManager.default.removeItem(atPath: "\(socketDirectory)/\(name)")
        }
    }

    private static func shellQuoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// The facts in `postmaster.pid`: the postmaster's pid (line 1) and port (line 4).
    private struct LockFile {
        let pid: Int32
        let port: Int

        init?(dataDirectory: String) {
            guard let text = try? String(contentsOfFile: "\(dataDirectory)/postmaster.pid", encoding: .utf8)
            else { return nil }
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            guard lines.count >= 4, let pid = Int32(lines[0]), let port = Int(lines[3]) else { return nil }
            self.pid = pid
            self.port = port
        }
    }
}

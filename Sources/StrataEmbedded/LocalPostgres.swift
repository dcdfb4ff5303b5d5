import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A PostgreSQL server owned by Strata, living in one folder (`data/`, `run/`, `postgres.log`) on a loopback port.
///
/// Trust authentication for the `postgres` user, listening on 127.0.0.1 only. When Strata runs as root the
/// server runs as the system's `postgres` user, which must be able to reach the folder.
public struct LocalPostgres: Sendable, Hashable {
    /// The folder holding the server's files.
    public let directory: String
    /// The TCP port on 127.0.0.1.
    public let port: Int
    /// The postmaster's process id.
    public let pid: Int32
    /// The database that `url` names.
    public let database: String

    /// The libpq URI of `database`.
    public var url: String { "postgresql://postgres@127.0.0.1:\(port)/\(database)" }
    /// The data folder (`PGDATA`).
    public var dataDirectory: String { "\(directory)/data" }
    /// The server's log file.
    public var logFile: String { "\(directory)/postgres.log" }

    /// The server running on `directory`'s data folder, if its lock file names a live postmaster that answers.
    public static func running(directory: String, database: String = "strata") -> LocalPostgres? {
        let directory = Paths.absolute(directory)
        guard let lock = LockFile(dataDirectory: "\(directory)/data"),
              ProcessProbe.isAlive(lock.pid, runningOneOf: postmasterNames),
              Loopback.accepts(lock.port)
        else { return nil }
        return LocalPostgres(directory: directory, port: lock.port, pid: lock.pid, database: database)
    }

    /// Starts a server on `directory` (creating its cluster on first use) and creates `database` if missing.
    ///
    /// - Parameter port: the port to use, which must be free; nil picks a free one.
    public static func start(directory: String, port: Int? = nil, database: String = "strata") throws -> LocalPostgres {
        let directory = Paths.absolute(directory)
        let binaries = try PostgresBinaries.locate()
        let account = try ServiceAccount.forPostgres()
        let dataDirectory = "\(directory)/data"
        let socketDirectory = "\(directory)/run"
        for folder in [directory, socketDirectory] {
            try createFolder(folder, for: account)
        }
        try account?.checkCanReach(directory)

        if !FileManager.default.fileExists(atPath: "\(dataDirectory)/PG_VERSION") {
            try ProcessRunner.check(
                binaries.path("initdb"),
                ["-D", dataDirectory, "--auth=trust", "-U", "postgres", "-E", "UTF8", "--no-locale"],
                as: account, in: directory, doing: "creating the PostgreSQL cluster in \(dataDirectory)")
        }
        try removeStaleLocks(dataDirectory: dataDirectory, socketDirectory: socketDirectory)

        let chosenPort = try Loopback.choosePort(port)
        let socketPath = "\(socketDirectory)/.s.PGSQL.\(chosenPort)"
        let sockets = socketPath.utf8.count < 100 ? shellQuoted(socketDirectory) : "''"
        let logFile = "\(directory)/postgres.log"
        let started = try ProcessRunner.run(
            binaries.path("pg_ctl"),
            [
                "start", "-w", "-t", "60", "-D", dataDirectory, "-l", logFile,
                "-o", "-p \(chosenPort) -k \(sockets) -c listen_addresses=127.0.0.1",
            ],
            as: account, in: directory)
        guard started.status == 0, let lock = LockFile(dataDirectory: dataDirectory) else {
            throw LocalServicesError(
                code: .startFailed,
                message: "PostgreSQL did not start on port \(chosenPort) (data in \(dataDirectory)); see \(logFile)",
                underlying: [started.text, ProcessRunner.tail(of: logFile)].joined(separator: "\n"))
        }
        let server = LocalPostgres(directory: directory, port: chosenPort, pid: lock.pid, database: database)
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
            binaries.path("createdb"), ["-h", "127.0.0.1", "-p", String(port), "-U", "postgres", name])
        guard output.status == 0 || output.text.contains("already exists") else {
            throw LocalServicesError(
                code: .commandFailed,
                message: "could not create the database \(name) on PostgreSQL at 127.0.0.1:\(port)",
                underlying: output.text)
        }
    }

    private static let postmasterNames: Set<String> = ["postgres", "postmaster"]

    private static func createFolder(_ path: String, for account: ServiceAccount?) throws {
        try Paths.createDirectory(path)
        try account?.own(path)
    }

    /// Removes lock files left by a server that died without cleaning up; a live one is an error.
    private static func removeStaleLocks(dataDirectory: String, socketDirectory: String) throws {
        let lockPath = "\(dataDirectory)/postmaster.pid"
        if let pid = ProcessProbe.pid(inFile: lockPath), ProcessProbe.isAlive(pid, runningOneOf: postmasterNames) {
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

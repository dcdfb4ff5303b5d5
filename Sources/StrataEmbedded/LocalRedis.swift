import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A Redis server owned by Strata, living in one folder (`redis.conf`, `redis.pid`, `redis.log`) on a loopback port.
///
/// The settings, the password included, go into `redis.conf` (readable by its owner only) rather than onto the
/// command line, where `ps` would show them. A persistent server keeps its data in an append-only file in the
/// folder (`appendonlydir/`, written to disk every second); a throwaway one keeps nothing, for speed.
public struct LocalRedis: Sendable, Hashable, CustomStringConvertible {
    /// The folder holding the server's files.
    public let directory: String
    /// The TCP port on 127.0.0.1.
    public let port: Int
    /// The password clients must send with `AUTH`, if any; never print it.
    public let password: String?
    /// Whether the server keeps its data in an append-only file across restarts.
    public let persistent: Bool
    /// Extra command-line settings, such as `["--databases", "64"]`.
    public let arguments: [String]
    /// Extra lines of `redis.conf`, for settings that must not show on the command line (`masterauth`).
    public let settings: [String]
    /// The server's process id.
    public private(set) var pid: Int32
    private let ownsDirectory: Bool

    /// The URL of database 0, with the password when there is one: hand it to a client, never print it.
    public var url: String {
        let credentials = password.map { ":\($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? $0)@" }
        return "redis://\(credentials ?? "")127.0.0.1:\(port)/0"
    }
    /// The URL of database 0 with the password hidden, for messages.
    public var redactedURL: String { "redis://\(password == nil ? "" : ":***@")127.0.0.1:\(port)/0" }
    /// The configuration file written at start.
    public var configFile: String { "\(directory)/redis.conf" }
    /// The file where the server writes its process id.
    public var pidFile: String { "\(directory)/redis.pid" }
    /// The server's log file.
    public var logFile: String { "\(directory)/redis.log" }
    /// The folder of the append-only file, when the server is persistent.
    public var appendOnlyDirectory: String { "\(directory)/appendonlydir" }
    /// The server, its URL without the password.
    public var description: String { "Redis at \(redactedURL) (pid \(pid), folder \(directory))" }

    /// The server running on `directory`, if its pid file names a live redis-server answering on its configured port.
    public static func running(directory: String) -> LocalRedis? {
        let directory = Paths.absolute(directory)
        guard let settings = try? String(contentsOfFile: "\(directory)/redis.conf", encoding: .utf8),
              let port = setting("port", in: settings).flatMap({ Int($0) }),
              let pid = ProcessProbe.pid(inFile: "\(directory)/redis.pid"),
              ProcessProbe.isAlive(pid, runningOneOf: serverNames),
              Loopback.accepts(port)
        else { return nil }
        return LocalRedis(
            directory: directory, port: port, password: setting("requirepass", in: settings),
            persistent: setting("appendonly", in: settings) == "yes", arguments: [], settings: [], pid: pid,
            ownsDirectory: false)
    }

    /// Starts a server and waits until it accepts connections.
    ///
    /// - Parameters:
    ///   - directory: the folder for its files; nil makes a fresh one under /tmp that `stop()` removes (and that
    ///     the next start in any process removes, with its server, if this process dies first).
    ///   - port: the port to use, which must be free; nil picks a free one.
    ///   - password: the password to require (`requirepass`); a fresh random one unless given; nil for none.
    ///   - persistent: whether to keep the data in an append-only file in `directory` across restarts.
    ///   - arguments: extra command-line settings, such as `["--databases", "64"]`.
    ///   - settings: extra lines of `redis.conf` (readable by its owner only), such as `masterauth "..."`.
    public static func start(
        directory: String? = nil, port: Int? = nil, password: String? = LocalCredentials.generatePassword(),
        persistent: Bool = false, arguments: [String] = [], settings: [String] = []
    ) throws -> LocalRedis {
        let folder: String
        if let directory {
            folder = Paths.absolute(directory)
        } else {
            ThrowawayFolders.reapOrphans()
            folder = try ThrowawayFolders.create(prefix: "strata-redis")
        }
        do {
            return try launch(
                directory: folder, port: Loopback.choosePort(port), password: password, persistent: persistent,
                arguments: arguments, settings: settings, ownsDirectory: directory == nil)
        } catch {
            if directory == nil { try? FileManager.default.removeItem(atPath: folder) }
            throw error
        }
    }

    /// Stops the server and starts it again on the same port with the same settings (and, unless it is
    /// persistent, an empty data set).
    public mutating func restart() throws {
        try shutDown()
        self = try Self.launch(
            directory: directory, port: port, password: password, persistent: persistent, arguments: arguments,
            settings: settings, ownsDirectory: ownsDirectory)
    }

    /// Stops the server (SIGTERM, which makes a persistent server write its append-only file to disk first; then
    /// SIGKILL after 10 seconds), removing its folder if `start` created it.
    public func stop() throws {
        try shutDown()
        if ownsDirectory { try? FileManager.default.removeItem(atPath: directory) }
    }

    /// Turns the append-only file on in the running server and waits until it holds the whole data set, so that a
    /// server started without persistence (by an older Strata) can be restarted persistent without losing data.
    func enableAppendOnlyFile() throws {
        guard let client = ExecutableSearch.find("redis-cli", alsoIn: ["/usr/bin", "/usr/local/bin"]) else {
            throw LocalServicesError(
                code: .binaryNotFound, message: "redis-cli was not found on PATH; install it: apt-get install -y redis-tools")
        }
        let environment = password.map { ["REDISCLI_AUTH": $0] } ?? [:]
        func ask(_ arguments: [String]) throws -> String {
            try ProcessRunner.check(
                client, ["-h", "127.0.0.1", "-p", String(port)] + arguments, environment: environment,
                doing: "asking \(redactedURL) to keep its data")
        }
        let answer = try ask(["CONFIG", "SET", "appendonly", "yes"])
        guard answer == "OK" else {
            throw LocalServicesError(
                code: .commandFailed, message: "\(redactedURL) refused to turn on its append-only file", underlying: answer)
        }
        var info = ""
        let written = ProcessProbe.wait(upTo: .seconds(60)) {
            info = (try? ask(["INFO", "persistence"])) ?? ""
            return info.contains("aof_rewrite_in_progress:0") && info.contains("aof_rewrite_scheduled:0")
        }
        guard written, info.contains("aof_last_bgrewrite_status:ok") else {
            throw LocalServicesError(
                code: .commandFailed, message: "\(redactedURL) did not finish writing its append-only file; see \(logFile)",
                underlying: info)
        }
    }

    private static let serverNames: Set<String> = ["redis-server"]

    private func shutDown() throws {
        let current = ProcessProbe.pid(inFile: pidFile) ?? pid
        if ProcessProbe.isAlive(current, runningOneOf: Self.serverNames) {
            try Self.terminate(current, directory: directory)
        }
        try? FileManager.default.removeItem(atPath: pidFile)
    }

    private static func terminate(_ pid: Int32, directory: String) throws {
        kill(pid, SIGTERM)
        if ProcessProbe.waitForExit(pid, timeout: .seconds(10)) { return }
        kill(pid, SIGKILL)
        guard ProcessProbe.waitForExit(pid, timeout: .seconds(5)) else {
            throw LocalServicesError(
                code: .commandFailed, message: "Redis (pid \(pid), folder \(directory)) did not stop; kill it with: kill -9 \(pid)")
        }
    }

    private static func launch(
        directory: String, port: Int, password: String?, persistent: Bool, arguments: [String], settings: [String],
        ownsDirectory: Bool
    ) throws -> LocalRedis {
        guard let server = ExecutableSearch.find("redis-server", alsoIn: ["/usr/sbin", "/usr/local/bin"]) else {
            throw LocalServicesError(
                code: .binaryNotFound, message: "redis-server was not found on PATH; install redis: apt-get install -y redis-server")
        }
        try Paths.createPrivateDirectory(directory)
        let pidFile = "\(directory)/redis.pid"
        let logFile = "\(directory)/redis.log"
        if let stale = ProcessProbe.pid(inFile: pidFile), ProcessProbe.isAlive(stale, runningOneOf: serverNames) {
            try terminate(stale, directory: directory)
        }
        try? FileManager.default.removeItem(atPath: pidFile)
        try writeConfig(
            to: "\(directory)/redis.conf",
            [
                "port \(port)", "bind 127.0.0.1", "dir \(quoted(directory))", "daemonize yes",
                "pidfile \(quoted(pidFile))", "logfile \(quoted(logFile))", "save \"\"",
            ] + (persistent ? ["appendonly yes", "appendfsync everysec"] : ["appendonly no"])
                + (password.map { ["requirepass \(quoted($0))"] } ?? []) + settings)
        try ProcessRunner.check(
            server, ["\(directory)/redis.conf"] + arguments, in: directory, doing: "starting Redis on port \(port)")

        var pid: Int32 = 0
        let ready = ProcessProbe.wait(upTo: .seconds(10)) {
            guard let written = ProcessProbe.pid(inFile: pidFile) else { return false }
            pid = written
            return !ProcessProbe.isAlive(written) || Loopback.accepts(port)
        }
        guard ready, ProcessProbe.isAlive(pid) else {
            throw LocalServicesError(
                code: .startFailed, message: "Redis did not start on port \(port); see \(logFile)",
                underlying: ProcessRunner.tail(of: logFile))
        }
        return LocalRedis(
            directory: directory, port: port, password: password, persistent: persistent, arguments: arguments,
            settings: settings, pid: pid, ownsDirectory: ownsDirectory)
    }

    private static func writeConfig(to path: String, _ lines: [String]) throws {
        try Paths.writePrivateFile(path, lines.joined(separator: "\n") + "\n")
    }

    /// A value in redis.conf's double-quoted syntax.
    static func quoted(_ value: String) -> String {
        "\"" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// The value of `name` in a redis.conf written by `writeConfig`, unquoted.
    private static func setting(_ name: String, in config: String) -> String? {
        guard let line = config.split(separator: "\n").first(where: { $0.hasPrefix("\(name) ") }) else { return nil }
        let value = line.dropFirst(name.count + 1)
        guard value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") else { return String(value) }
        var result = ""
        var escaped = false
        for character in value.dropFirst().dropLast() {
            if !escaped && character == "\\" {
                escaped = true
            } else {
                result.append(character)
                escaped = false
            }
        }
        return result
    }
}

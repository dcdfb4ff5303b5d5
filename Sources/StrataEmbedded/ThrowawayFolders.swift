import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The folders under /tmp that hold throwaway servers (for tests and benchmarks), each naming the process that
/// owns it, and the reaper that stops the servers of owners that died without stopping them (SIGKILL, a crash).
///
/// The servers daemonise, so they cannot die with their owner; instead every start of a throwaway server first
/// reaps the folders whose owner is gone. Only folders of the current user that carry an owner file are touched:
/// folders of other users, and of older Strata versions, are left alone.
public enum ThrowawayFolders {
    /// The name of the file that records the owning process in a throwaway folder.
    static let ownerFileName = "owner"
    private static let prefixes = ["strata-services-", "strata-redis-", "strata-cluster-"]
    private static let root = "/tmp"

    /// Creates a private folder `/tmp/<prefix>-XXXXXX` owned by this process.
    static func create(prefix: String, passableBy account: ServiceAccount? = nil) throws -> String {
        let folder = try Paths.makeTemporaryDirectory(prefix: prefix, passableBy: account)
        do {
            try Paths.writePrivateFile("\(folder)/\(ownerFileName)", Owner.current.text)
        } catch {
            try? FileManager.default.removeItem(atPath: folder)
            throw error
        }
        return folder
    }

    /// Stops the servers of every throwaway folder whose owning process is gone, removes those folders and
    /// returns them.
    @discardableResult
    public static func reapOrphans() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        var reaped: [String] = []
        for name in names where prefixes.contains(where: name.hasPrefix) {
            let folder = "\(root)/\(name)"
            guard isOurs(folder),
                  let text = try? String(contentsOfFile: "\(folder)/\(ownerFileName)", encoding: .utf8),
                  let owner = Owner(text), !owner.isAlive
            else { continue }
            stopServers(in: folder)
            try? FileManager.default.removeItem(atPath: folder)
            reaped.append(folder)
        }
        return reaped
    }

    /// Whether `folder` is a real folder (not a link) of the current user.
    private static func isOurs(_ folder: String) -> Bool {
        var info = stat()
        return lstat(folder, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR && info.st_uid == geteuid()
    }

    /// Kills each server whose pid file lies in `folder` and whose process still works there (the pid may have
    /// been reused by an unrelated process since).
    private static func stopServers(in folder: String) {
        let clusterNodes = (1...LocalRedisCluster.nodeCount).map { index in
            let node = LocalRedisCluster.nodeDirectory(folder, index)
            return (pidFile: "\(node)/redis.pid", workingDirectory: node, names: Set(["redis-server"]), signal: SIGKILL)
        }
        let servers: [(pidFile: String, workingDirectory: String, names: Set<String>, signal: Int32)] = [
            ("\(folder)/pg/data/postmaster.pid", "\(folder)/pg/data", ["postgres", "postmaster"], SIGQUIT),
            ("\(folder)/redis/redis.pid", "\(folder)/redis", ["redis-server"], SIGKILL),
            ("\(folder)/redis.pid", folder, ["redis-server"], SIGKILL),
        ] + clusterNodes
        for server in servers {
            guard let pid = ProcessProbe.pid(inFile: server.pidFile),
                  ProcessProbe.isAlive(pid, runningOneOf: server.names),
                  ProcessProbe.workingDirectory(of: pid).map({ $0 == server.workingDirectory }) ?? true
            else { continue }
            kill(pid, server.signal)
            if !ProcessProbe.waitForExit(pid, timeout: .seconds(10)) {
                kill(pid, SIGKILL)
                _ = ProcessProbe.waitForExit(pid, timeout: .seconds(5))
            }
        }
    }

    /// A process named by its pid and, where the system tells, its start time, so that a reused pid is not
    /// mistaken for the owner.
    struct Owner: Equatable {
        var pid: Int32
        var startTime: String?

        static var current: Owner { Owner(pid: getpid(), startTime: ProcessProbe.startTime(of: getpid())) }

        var text: String { "\(pid) \(startTime ?? "-")\n" }

        init(pid: Int32, startTime: String?) {
            self.pid = pid
            self.startTime = startTime
        }

        init?(_ text: String) {
            let fields = text.split(whereSeparator: \.isWhitespace)
            guard fields.count == 2, let pid = Int32(fields[0]) else { return nil }
            self.pid = pid
            startTime = fields[1] == "-" ? nil : String(fields[1])
        }

        var isAlive: Bool {
            guard ProcessProbe.isAlive(pid) else { return false }
            guard let startTime, let now = ProcessProbe.startTime(of: pid) else { return true }
            return now == startTime
        }
    }
}

import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Questions about other processes, asked by process id.
public enum ProcessProbe {
    /// Whether `pid` names a live process (a zombie left unreaped by its new parent counts as dead).
    public static func isAlive(_ pid: Int32) -> Bool {
        guard pid > 0, kill(pid, 0) == 0 || errno == EPERM else { return false }
        guard let stat = procFile(pid, "stat"),
              let afterName = stat.lastIndex(of: ")")
        else { return true }
        return !stat[afterName...].hasPrefix(") Z")
    }

    /// Whether `pid` is alive and, where the system tells (Linux's /proc), runs a program named one of `names`.
    static func isAlive(_ pid: Int32, runningOneOf names: Set<String>) -> Bool {
        guard isAlive(pid) else { return false }
        guard let name = procFile(pid, "comm") else { return true }
        return names.contains(name.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Waits until `pid` has exited; false when it still runs after `timeout`.
    public static func waitForExit(_ pid: Int32, timeout: Duration) -> Bool {
        wait(upTo: timeout) { !isAlive(pid) }
    }

    /// Polls `condition` every 20 ms until it holds or `timeout` passes; returns whether it held.
    static func wait(upTo timeout: Duration, until condition: () -> Bool) -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while !condition() {
            if clock.now >= deadline { return false }
            usleep(20_000)
        }
        return true
    }

    /// A file of `/proc/<pid>/`, read to its end: these files report a size of zero, so size-based reads see nothing.
    private static func procFile(_ pid: Int32, _ name: String) -> String? {
        guard let handle = FileHandle(forReadingAtPath: "/proc/\(pid)/\(name)") else { return nil }
        defer { try? handle.close() }
        return (try? handle.readToEnd()).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The process id in the first line of a pid file, if the file exists and holds one.
    static func pid(inFile path: String) -> Int32? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        return text.split(separator: "\n").first.flatMap { Int32($0.trimmingCharacters(in: .whitespaces)) }
    }

    /// When `pid` started, in clock ticks after boot (field 22 of /proc/<pid>/stat); nil where /proc is missing.
    static func startTime(of pid: Int32) -> String? {
        guard let stat = procFile(pid, "stat"), let afterName = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: afterName)...].split(separator: " ")
        return fields.count > 19 ? String(fields[19]) : nil
    }

    /// The working folder of `pid` (/proc/<pid>/cwd); nil where /proc is missing or does not tell.
    static func workingDirectory(of pid: Int32) -> String? {
        try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/cwd")
    }
}

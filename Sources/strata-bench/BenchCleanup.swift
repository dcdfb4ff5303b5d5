import Foundation
import StrataEmbedded
#if canImport(Glibc)
import Glibc
#endif

/// The one place that stops what a suite started: every child process, throwaway server and temporary file or
/// folder is registered here when it starts and released when the suite stops or removes it itself. Ctrl-C
/// (SIGINT) or SIGTERM stops whatever is still registered — children first (SIGTERM, to the process group of a
/// child that leads one; SIGKILL after 10 s), then the daemonised servers, then the files — and exits 130 or
/// 143, as a shell reports a signal.
///
/// Starts happen under the registry's lock, so an interrupt never falls between a start and its registration:
/// the cleanup waits for a start under way, and a suite thread that starts or releases anything once the
/// cleanup has begun waits for the exit instead (its children may be dying under it). The signal handler only
/// writes the signal's number to a pipe; a watcher thread does the work, as `strata`'s `Interrupts` does.
final class BenchCleanup: @unchecked Sendable {
    /// Something a suite started that must not outlive the run.
    enum Resource {
        /// A child process.
        case process(Int32)
        /// Servers that daemonise (PostgreSQL, Redis), so they are nobody's children: their own stop.
        case servers(@Sendable () -> Void)
        /// A temporary file or folder.
        case path(String)
    }

    /// A registered resource, handed back when the suite stops it itself.
    struct Token: Hashable, Sendable {
        fileprivate let id: Int
    }

    /// The registry of this process.
    static let shared = BenchCleanup()

    private let lock = NSLock()
    private var interrupted = false
    private var nextID = 0
    private var resources: [(id: Int, resource: Resource)] = []

    /// Installs the SIGINT and SIGTERM handlers; call first thing in `main`.
    static func install() {
        SignalWatcher.start { shared.stopEverything(signal: $0) }
    }

    /// Runs `start` under the lock and registers what it started as `resource(started)`.
    func track<T>(_ start: () throws -> T, as resource: (T) -> Resource) rethrows -> (T, Token) {
        lock.lock()
        if interrupted {
            lock.unlock()
            Self.waitForExit()
        }
        let started: T
        do {
            started = try start()
        } catch {
            lock.unlock()
            throw error
        }
        nextID += 1
        resources.append((nextID, resource(started)))
        let token = Token(id: nextID)
        lock.unlock()
        return (started, token)
    }

    /// Registers a temporary file or folder that the suite is about to create.
    func temporary(_ path: String) -> Token {
        track({ path }, as: { .path($0) }).1
    }

    /// Creates a temporary folder (and its parents), registered for removal.
    func temporaryFolder(_ path: String) throws -> Token {
        let token = temporary(path)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return token
    }

    /// Forgets a resource that is gone (a child that exited by itself) and returns it; waits for the exit instead
    /// when an interrupt is being handled.
    @discardableResult
    func release(_ token: Token) -> Resource? {
        lock.lock()
        if interrupted {
            lock.unlock()
            Self.waitForExit()
        }
        let index = resources.firstIndex { $0.id == token.id }
        let resource = index.map { resources.remove(at: $0).resource }
        lock.unlock()
        return resource
    }

    /// Releases a resource and stops or removes it now, as an interrupt would.
    func finish(_ token: Token) {
        guard let resource = release(token) else { return }
        switch resource {
        case .process(let pid): Self.stop(processes: [pid])
        case .servers(let stop): stop()
        case .path(let path): try? FileManager.default.removeItem(atPath: path)
        }
    }

    /// Exits with `status` unless an interrupt is being handled, whose own exit status wins.
    func exit(_ status: Int32) -> Never {
        lock.lock()
        if interrupted {
            lock.unlock()
            Self.waitForExit()
        }
        Foundation.exit(status)
    }

    private func stopEverything(signal number: Int32) {
        lock.lock()
        interrupted = true
        let registered = resources
        resources = []
        lock.unlock()
        let name = number == SIGTERM ? "SIGTERM" : "SIGINT"
        FileHandle.standardError.write(Data("strata-bench: interrupted by \(name): stopping what the suite started\n".utf8))
        var processes: [Int32] = [], servers: [@Sendable () -> Void] = [], paths: [String] = []
        for (_, resource) in registered.reversed() {
            switch resource {
            case .process(let pid): processes.append(pid)
            case .servers(let stop): servers.append(stop)
            case .path(let path): paths.append(path)
            }
        }
        Self.stop(processes: processes)
        for stop in servers { stop() }
        for path in paths { try? FileManager.default.removeItem(atPath: path) }
        FileHandle.standardError.write(Data(
            "strata-bench: interrupted by \(name): stopped \(processes.count) process(es) and \(servers.count) set(s) of servers, removed \(paths.count) temporary path(s)\n".utf8))
        fflush(nil)
        _exit(128 + number)
    }

    /// SIGTERM to each process (to its whole group when it leads one of its own, so its children go too), then
    /// SIGKILL to those still running after 10 s.
    private static func stop(processes: [Int32]) {
        func send(_ pid: Int32, _ number: Int32) {
            if getpgid(pid) == pid, pid != getpgrp() { killpg(pid, number) } else { kill(pid, number) }
        }
        for pid in processes { send(pid, SIGTERM) }
        for pid in processes where !ProcessProbe.waitForExit(pid, timeout: .seconds(10)) {
            send(pid, SIGKILL)
            _ = ProcessProbe.waitForExit(pid, timeout: .seconds(5))
        }
    }

    /// Parks the calling thread while the watcher stops everything and exits.
    private static func waitForExit() -> Never {
        while true { sleep(3_600) }
    }
}

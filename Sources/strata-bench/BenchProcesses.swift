import Foundation
import StrataEmbedded
#if canImport(Glibc)
import Glibc
#endif

/// Servers the serve suite starts as child processes, each waited for until its port answers and
/// stopped with SIGTERM at the end.
struct BenchProcesses {
    /// A started server.
    struct Started {
        let label: String
        let port: Int
        let pid: Int32
    }

    private var running: [(Started, Process, BenchCleanup.Token)] = []

    /// Starts `executable` (whose arguments name `port`, or the last `--port` value) with this process's environment
    /// plus `environment` (where secrets go: `ps` shows arguments), and waits up to 30 s for it to accept connections.
    mutating func start(
        _ label: String, _ executable: String, _ arguments: [String], port: Int? = nil, environment: [String: String] = [:]
    ) throws -> Started {
        guard let port = port ?? arguments.indices.last(where: { arguments[$0] == "--port" || arguments[$0] == "--canned" })
            .flatMap({ Int(arguments[$0 + 1]) })
        else { throw BenchError("\(label): no port in its arguments") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, added in added }
        }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.standardError
        let (_, token) = try BenchCleanup.shared.track({ try process.run() }, as: { .process(process.processIdentifier) })
        let started = Started(label: label, port: port, pid: process.processIdentifier)
        running.append((started, process, token))
        for _ in 0..<300 {
            if Loopback.accepts(port) { return started }
            guard process.isRunning else { throw BenchError("\(label) exited with status \(process.terminationStatus)") }
            Thread.sleep(forTimeInterval: 0.1)
        }
        throw BenchError("\(label) did not listen on port \(port) within 30 s")
    }

    /// Sends SIGTERM to one server and returns its exit status.
    mutating func stop(_ started: Started) -> Int32 {
        guard let index = running.firstIndex(where: { $0.0.pid == started.pid }) else { return -1 }
        let (_, process, token) = running.remove(at: index)
        BenchCleanup.shared.release(token)
        process.terminate()
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// Stops every server still running.
    mutating func stopAll() {
        for (started, _, _) in running { _ = stop(started) }
    }
}

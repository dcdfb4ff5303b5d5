import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs a program to completion and reports its wall time and peak resident memory.
enum ChildProcess {
    struct Outcome {
        var status: Int32
        var seconds: Double
        var peakRSSMegabytes: Double
        /// The end of what the child wrote on stderr (empty when `showOutput`), for the error of a failed run.
        var errorTail = ""
    }

    /// The folder holding this executable (where `swift build` also puts `strata`).
    static var binaryFolder: String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        let path = length > 0 ? String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self) : CommandLine.arguments[0]
        return (path as NSString).deletingLastPathComponent
    }

    /// Runs `executable` with `arguments` and this process's environment plus `environment`, its output going to
    /// `/dev/null` unless `showOutput`. Secrets (URLs with passwords) go in `environment`: `ps` shows arguments.
    static func run(
        _ executable: String, _ arguments: [String], environment: [String: String] = [:], showOutput: Bool = false
    ) throws -> Outcome {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // A child's stderr is kept in a file only when it is hidden, for the error of a failed run.
        let errorPath = showOutput ? nil : NSTemporaryDirectory() + "strata-bench-child-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).err"
        let errorFile = errorPath.map { BenchCleanup.shared.temporary($0) }
        defer { errorFile.map { BenchCleanup.shared.finish($0) } }
        if let errorPath {
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 2, errorPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let variables = ProcessInfo.processInfo.environment.merging(environment) { _, added in added }
        let envp = variables.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { envp.forEach { free($0) } }
        let start = Measure.now()
        let (pid, token) = try BenchCleanup.shared.track({
            var pid: pid_t = 0
            let spawned = posix_spawn(&pid, executable, &actions, nil, argv, envp)
            guard spawned == 0 else {
                throw BenchError("cannot run \(executable): \(String(cString: strerror(spawned)))")
            }
            return pid
        }, as: { .process($0) })
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) == -1 && errno == EINTR {}
        BenchCleanup.shared.release(token)
        let seconds = Double(Measure.now() - start) / 1e9
        let exitStatus = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        let errorTail = errorPath.flatMap { FileManager.default.contents(atPath: $0) }
            .map { String(decoding: $0.suffix(2000), as: UTF8.self) } ?? ""
        return Outcome(
            status: exitStatus, seconds: seconds, peakRSSMegabytes: Double(usage.ru_maxrss) / 1024, errorTail: errorTail)
    }
}

/// A benchmark that could not run as set up.
struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

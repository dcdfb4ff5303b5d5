import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs the `strata` executable (or another of the package's executables, such as `strata-bench`)
/// built beside the test bundle, for tests of exit codes and output.
public enum StrataCLI {
    /// What a finished `strata` run printed and returned.
    public struct Outcome: Sendable {
        /// The exit status, or the signal's number when a signal ended the process.
        public var status: Int32
        public var stdout: String
        public var stderr: String
        /// Whether a signal ended the process (instead of an exit).
        public var killedBySignal: Bool

        /// An outcome as another runner of `strata` observed it.
        public init(status: Int32, stdout: String, stderr: String, killedBySignal: Bool = false) {
            self.status = status
            self.stdout = stdout
            self.stderr = stderr
            self.killedBySignal = killedBySignal
        }
    }

    /// The executable `name` in the build folder of the running tests.
    public static func executable(_ name: String = "strata") throws -> URL {
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = folder.appendingPathComponent(name)
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory), !isDirectory.boolValue {
                return candidate
            }
            folder = folder.deletingLastPathComponent()
        }
        throw TestServices.Failure(description: "cannot find the \(name) executable near \(CommandLine.arguments[0]); build it first")
    }

    /// Runs `program` (default `strata`) with `arguments` and `environment` added to this process's, in `directory`;
    /// with a `launcher` (e.g. `["/usr/bin/prlimit", "--fsize=4096", "--"]`), through it.
    public static func run(
        _ arguments: [String], environment: [String: String] = [:], in directory: URL? = nil, program: String = "strata",
        launcher: [String] = []
    ) throws -> Outcome {
        try start(arguments, environment: environment, in: directory, program: program, launcher: launcher).wait()
    }

    /// Runs `program` (default `strata`) as `run` does and also returns its peak resident memory in bytes,
    /// read with `wait4` from the kernel's accounting of the child, for tests that bound a command's memory.
    public static func runMeasuringMemory(
        _ arguments: [String], environment: [String: String] = [:], program: String = "strata"
    ) throws -> (outcome: Outcome, peakBytes: Int) {
        let executable = try executable(program).path
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("strata-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("stdout").path
        let err = folder.appendingPathComponent("stderr").path
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, err, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let variables = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let envp = variables.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { envp.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, envp)
        guard spawned == 0 else {
            throw TestServices.Failure(description: "cannot run \(executable): \(String(cString: strerror(spawned)))")
        }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) == -1 && errno == EINTR {}
        let signalled = (status & 0x7f) != 0
        let outcome = Outcome(
            status: signalled ? status & 0x7f : (status >> 8) & 0xff,
            stdout: (try? String(contentsOfFile: out, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOfFile: err, encoding: .utf8)) ?? "", killedBySignal: signalled)
        // Linux reports ru_maxrss in kilobytes.
        return (outcome, Int(usage.ru_maxrss) * 1024)
    }

    /// Starts `program` as `run` does and returns while it runs, for tests that act meanwhile (send it a
    /// signal, run another beside it). Its output is collected when waited for.
    public static func start(
        _ arguments: [String], environment: [String: String] = [:], in directory: URL? = nil, program: String = "strata",
        launcher: [String] = []
    ) throws -> Running {
        let process = Process()
        if let wrapper = launcher.first {
            process.executableURL = URL(fileURLWithPath: wrapper)
            process.arguments = Array(launcher.dropFirst()) + [try executable(program).path] + arguments
        } else {
            process.executableURL = try executable(program)
            process.arguments = arguments
        }
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        if let directory { process.currentDirectoryURL = directory }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return Running(process: process, stdout: out, stderr: err)
    }

    /// A `strata` process started by `start`.
    public final class Running {
        let process: Process
        let stdout: Pipe
        let stderr: Pipe

        init(process: Process, stdout: Pipe, stderr: Pipe) {
            self.process = process
            self.stdout = stdout
            self.stderr = stderr
        }

        /// The process id.
        public var pid: Int32 { process.processIdentifier }

        /// Whether the process is still running.
        public var isRunning: Bool { process.isRunning }

        /// Sends `signal` (e.g. SIGINT) to the process.
        public func send(_ signal: Int32) {
            kill(process.processIdentifier, signal)
        }

        /// Waits for the process to end and returns what it printed and returned; a process still running after
        /// `seconds` is killed (SIGKILL), so that a test that fails never leaves it behind.
        public func wait(killingAfter seconds: Double = 300) -> Outcome {
            let deadline = Date().addingTimeInterval(seconds)
            while process.isRunning && Date() < deadline { usleep(10_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            let out = stdout.fileHandleForReading.readDataToEndOfFile()
            let err = stderr.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return Outcome(
                status: process.terminationStatus, stdout: String(decoding: out, as: UTF8.self),
                stderr: String(decoding: err, as: UTF8.self), killedBySignal: process.terminationReason == .uncaughtSignal)
        }
    }
}

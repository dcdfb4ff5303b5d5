import Foundation

/// Runs the `strata` executable (or another of the package's executables, such as `strata-bench`)
/// built beside the test bundle, for tests of exit codes and output.
public enum StrataCLI {
    /// What a finished `strata` run printed and returned.
    public struct Outcome: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String

        /// An outcome as another runner of `strata` observed it.
        public init(status: Int32, stdout: String, stderr: String) {
            self.status = status
            self.stdout = stdout
            self.stderr = stderr
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

    /// Runs `program` (default `strata`) with `arguments` and `environment` added to this process's, in `directory`.
    public static func run(
        _ arguments: [String], environment: [String: String] = [:], in directory: URL? = nil, program: String = "strata"
    ) throws -> Outcome {
        let process = Process()
        process.executableURL = try executable(program)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        if let directory { process.currentDirectoryURL = directory }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self))
    }
}

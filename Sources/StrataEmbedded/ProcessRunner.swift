import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs programs to completion with `posix_spawn`, capturing their combined output.
///
/// Foundation's `Process` is not used: on Linux it hands the child a monitoring socket and waits for that socket
/// to close, so when the program leaves a daemon behind (`pg_ctl start`, `redis-server --daemonize yes`) the daemon
/// inherits the socket and the wait lasts as long as the daemon. Here the child gets only stdin, stdout and stderr.
enum ProcessRunner {
    /// What a finished program left behind.
    struct Output {
        var status: Int32
        var text: String
    }

    /// Runs `executable` (as `account` when given) and returns its status and output, whatever the status.
    ///
    /// - Parameters:
    ///   - environment: variables added to the child's environment (which lacks this process's `PG*` variables);
    ///     secrets go here or in `input`, never in `arguments`, which any local user can read with `ps`.
    ///   - input: a file to use as the child's standard input (else /dev/null).
    static func run(
        _ executable: String, _ arguments: [String], as account: ServiceAccount? = nil, in directory: String? = nil,
        environment: [String: String] = [:], input: String? = nil
    ) throws -> Output {
        let (launcher, launcherArguments) = account?.command(executable, arguments) ?? (executable, arguments)
        let outputPath = FileManager.default.temporaryDirectory
            .appendingPathComponent("strata-\(UUID().uuidString).out").path
        defer { try? FileManager.default.removeItem(atPath: outputPath) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, input ?? "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        if let directory { addChangeDirectory(&actions, directory) }
        addCloseAllAbove2(&actions)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // The child starts with no signal blocked and every signal at its default action: a posix_spawn child
        // otherwise inherits the calling thread's mask, and a daemon spawned from a thread that blocks SIGTERM
        // (Swift's worker threads may) would never see `kill -TERM`.
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        sigdelset(&allSignals, SIGKILL)
        sigdelset(&allSignals, SIGSTOP)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        let flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF
        #if canImport(Darwin)
        posix_spawnattr_setflags(&attributes, Int16(flags | POSIX_SPAWN_CLOEXEC_DEFAULT))
        #else
        posix_spawnattr_setflags(&attributes, Int16(flags))
        #endif

        let childEnvironment = ProcessInfo.processInfo.environment
            .filter { !$0.key.hasPrefix("PG") }
            .merging(environment) { _, added in added }
            .map { "\($0.key)=\($0.value)" }
        var pid: pid_t = 0
        let spawned = withCStrings([launcher] + launcherArguments) { argv in
            withCStrings(childEnvironment) { envp in
                posix_spawn(&pid, launcher, &actions, &attributes, argv, envp)
            }
        }
        guard spawned == 0 else {
            throw LocalServicesError(
                code: .commandFailed,
                message: "could not launch \(launcher): \(String(cString: strerror(spawned)))",
                underlying: describe(launcher, launcherArguments))
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        return Output(status: exitCode(status), text: text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Runs `executable` and returns its output; a failure status throws `.commandFailed` with the output.
    @discardableResult
    static func check(
        _ executable: String, _ arguments: [String], as account: ServiceAccount? = nil, in directory: String? = nil,
        environment: [String: String] = [:], doing step: String
    ) throws -> String {
        let output = try run(executable, arguments, as: account, in: directory, environment: environment)
        guard output.status == 0 else {
            throw LocalServicesError(
                code: .commandFailed,
                message: "\(step) failed: \(describe(executable, arguments)) exited with status \(output.status)",
                underlying: output.text)
        }
        return output.text
    }

    /// A command line as a person would type it.
    static func describe(_ executable: String, _ arguments: [String]) -> String {
        ([executable] + arguments).map { $0.isEmpty || $0.contains(" ") ? "'\($0)'" : $0 }.joined(separator: " ")
    }

    /// The last `lines` lines of a log file, for error messages.
    static func tail(of path: String, lines: Int = 20) -> String {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return "" }
        return text.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines).joined(separator: "\n")
    }

    /// The exit status of a `waitpid` status, or 128 plus the signal that ended the program, as shells report it.
    private static func exitCode(_ status: Int32) -> Int32 {
        let signal = status & 0x7F
        return signal == 0 ? (status >> 8) & 0xFF : 128 + signal
    }

    #if canImport(Darwin)
    private static func addChangeDirectory(_ actions: inout posix_spawn_file_actions_t, _ directory: String) {
        posix_spawn_file_actions_addchdir_np(&actions, directory)
    }

    /// Darwin closes every other descriptor through `POSIX_SPAWN_CLOEXEC_DEFAULT`.
    private static func addCloseAllAbove2(_ actions: inout posix_spawn_file_actions_t) {}
    #else
    private typealias DescriptorAction = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32
    private typealias PathAction = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, UnsafePointer<CChar>?) -> Int32

    /// glibc declares its `_np` spawn actions only under `_GNU_SOURCE`, which Swift's Glibc module lacks,
    /// so they are looked up at run time (closefrom needs glibc 2.34, chdir 2.29).
    private static let closeFrom: DescriptorAction? = lookUp("posix_spawn_file_actions_addclosefrom_np")
    private static let changeDirectory: PathAction? = lookUp("posix_spawn_file_actions_addchdir_np")

    private static func lookUp<T>(_ name: String) -> T? {
        guard let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, name) else { return nil }
        return unsafeBitCast(symbol, to: T.self)
    }

    /// Starts the child in `directory`; without glibc support it starts in the current folder.
    private static func addChangeDirectory(_ actions: inout posix_spawn_file_actions_t, _ directory: String) {
        _ = changeDirectory?(&actions, directory)
    }

    /// Closes every descriptor above stderr in the child; without closefrom, each one open now.
    private static func addCloseAllAbove2(_ actions: inout posix_spawn_file_actions_t) {
        if let closeFrom {
            _ = closeFrom(&actions, 3)
            return
        }
        let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        for descriptor in open.compactMap({ Int32($0) }) where descriptor > 2 {
            posix_spawn_file_actions_addclose(&actions, descriptor)
        }
    }
    #endif

    /// Calls `body` with a NULL-terminated array of C strings that lives as long as the call.
    private static func withCStrings<R>(
        _ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R
    ) -> R {
        let pointers = strings.map { strdup($0) } + [nil]
        defer { pointers.forEach { free($0) } }
        return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
    }
}

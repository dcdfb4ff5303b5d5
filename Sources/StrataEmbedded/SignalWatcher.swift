import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// SIGINT and SIGTERM handled on a thread of their own instead of in a signal handler: the handler only
/// writes the signal's number to a pipe, and a watcher thread reads it and calls `onSignal`, where any
/// work (stopping children, removing files, printing) is safe. Used by `strata` and `strata-bench`.
public enum SignalWatcher {
    /// Unblocks SIGINT and SIGTERM (a posix_spawn child inherits the spawning thread's mask; threads started
    /// from here on inherit this thread's) and starts the watcher; call once, first thing in `main`.
    /// `onSignal` runs on the watcher thread, one signal at a time, in order.
    public static func start(_ onSignal: @escaping (Int32) -> Void) {
        var handled = sigset_t()
        sigemptyset(&handled)
        sigaddset(&handled, SIGINT)
        sigaddset(&handled, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &handled, nil)
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { return }
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        signalPipe = ends[1]
        let readEnd = ends[0]
        // Only the watcher thread ever calls it.
        let handler = UncheckedHandler(call: onSignal)
        let watcher = Thread {
            var number: UInt8 = 0
            while true {
                let count = read(readEnd, &number, 1)
                if count == 0 || (count < 0 && errno != EINTR) { return }
                if count == 1 { handler.call(Int32(number)) }
            }
        }
        watcher.start()
        _ = signal(SIGINT, forwardSignal)
        _ = signal(SIGTERM, forwardSignal)
    }

    private struct UncheckedHandler: @unchecked Sendable {
        let call: (Int32) -> Void
    }
}

/// The write end of the pipe the signal handler writes to.
nonisolated(unsafe) private var signalPipe: Int32 = -1

/// The signal handler: hands the signal's number to the watcher thread.
private func forwardSignal(_ number: Int32) {
    var byte = UInt8(truncatingIfNeeded: number)
    _ = write(signalPipe, &byte, 1)
}

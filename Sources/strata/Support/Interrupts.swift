import Foundation
import StrataEmbedded
import StrataOffline
#if canImport(Glibc)
import Glibc
#endif

/// Ctrl-C (SIGINT) and SIGTERM stop a command at once and cleanly: partial output files are removed and the
/// process exits with 128 + the signal's number (130, 143), as a shell reports a signal. Work in PostgreSQL
/// needs nothing more: the open transaction rolls back when the connection closes, so saved sets, models and
/// watermarks stay as they were.
///
/// The handler only writes the signal's number to a pipe (all a signal handler may safely do); a thread
/// waiting on the pipe does the cleanup under `PartialFile`'s lock and exits, so an interrupt never splits
/// a commit from the move of its output into place.
///
/// A command that stops gracefully instead (`strata serve`: finish the requests in flight, flush its log,
/// exit 0) takes the first signal over with `handOver(to:)`; a second one still exits at once. One owner
/// of the signals, from the first instruction of `main` to the exit, so none falls between two handlers.
enum Interrupts {
    /// Installs the handlers; call once, first thing.
    static func install() {
        var handedOver = false
        SignalWatcher.start { number in
            let name = number == SIGTERM ? "SIGTERM" : "SIGINT"
            if !handedOver, let stop = handOverLock.withLock({ handedOverTo }) {
                handedOver = true
                stop(name)
                return
            }
            PartialFile.removeAllForExit()
            Terminal.printError("interrupted by \(name): stopped; unfinished output files were removed and uncommitted work rolls back")
            _exit(128 + number)
        }
    }

    /// Makes the first SIGINT or SIGTERM call `stop` (on the watcher thread, with the signal's name) instead
    /// of exiting; the command then stops as it sees fit. A second signal exits at once, as without it.
    static func handOver(to stop: @escaping @Sendable (String) -> Void) {
        handOverLock.withLock { handedOverTo = stop }
    }
}

/// What the first signal calls instead of exiting, once a command took it over; set by the command's
/// thread and read by the watcher's, under `handOverLock`.
nonisolated(unsafe) private var handedOverTo: (@Sendable (String) -> Void)?
private let handOverLock = NSLock()

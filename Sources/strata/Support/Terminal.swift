import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Output helpers: stderr, and progress on long work — a line rewritten in place on a terminal, plain
/// lines at most every `plainInterval` seconds otherwise (cron, CI, a log file), nothing with `--quiet`.
enum Terminal {
    static let stderrIsTerminal = isatty(2) == 1
    /// Seconds between plain progress lines when stderr is not a terminal.
    static let plainInterval = 10.0

    /// Whether progress is silenced, and when the last plain line was written (nil: none since the
    /// last `endProgress`, so the next update is written at once).
    private struct Progress {
        var quiet = false
        var lastPlainLine: Date?
    }

    private static let state = Mutex(Progress())

    /// Silences progress for the rest of the run (`--quiet`).
    static func silenceProgress() {
        state.withLock { $0.quiet = true }
    }

    static func printError(_ text: String) {
        writeStderr(text.hasSuffix("\n") ? text : text + "\n")
    }

    /// Reports progress: rewrites the current line on a terminal; otherwise writes `text` as a line of
    /// its own when it is the first update of a step or `plainInterval` seconds passed since the last.
    static func progress(_ text: String) {
        let now = Date()
        let line: String? = state.withLock { progress in
            if progress.quiet { return nil }
            if stderrIsTerminal { return "\r\u{1B}[2K" + text }
            if let last = progress.lastPlainLine, now.timeIntervalSince(last) < plainInterval { return nil }
            progress.lastPlainLine = now
            return text + "\n"
        }
        if let line { writeStderr(line) }
    }

    /// Ends a step's progress, so that the next output starts on a fresh line and the next step's
    /// first update is shown.
    static func endProgress() {
        let clear = state.withLock { progress in
            progress.lastPlainLine = nil
            return stderrIsTerminal && !progress.quiet
        }
        if clear { writeStderr("\r\u{1B}[2K") }
    }

    /// Writes `text` on stderr unbuffered, after what `print` buffered for stdout, so that the two keep
    /// their order when both go to one file (`strata ... > log 2>&1`).
    static func writeStderr(_ text: String) {
        fflush(nil)  // every output stream: `stdout` itself is a C global Swift 6 will not touch
        var text = text
        text.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = write(2, bytes.baseAddress! + offset, bytes.count - offset)
                if written <= 0 { return }
                offset += written
            }
        }
    }
}

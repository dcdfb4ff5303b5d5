#if canImport(Glibc)
import Glibc
#endif

/// Output helpers: stderr, and progress lines that appear only when stderr is a terminal.
enum Terminal {
    static let stderrIsTerminal = isatty(2) == 1

    static func printError(_ text: String) {
        writeStderr(text.hasSuffix("\n") ? text : text + "\n")
    }

    /// Rewrites the current progress line on a terminal; does nothing otherwise.
    static func progress(_ text: String) {
        guard stderrIsTerminal else { return }
        writeStderr("\r\u{1B}[2K" + text)
    }

    /// Ends a progress line so that the next output starts on a fresh line.
    static func endProgress() {
        guard stderrIsTerminal else { return }
        writeStderr("\r\u{1B}[2K")
    }

    static func writeStderr(_ text: String) {
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

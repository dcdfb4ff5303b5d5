import ArgumentParser

/// `--quiet`, on every verb that reports progress on long work.
struct ProgressOptions: ParsableArguments {
    @Flag(name: .long, help: "Print no progress on stderr (results and errors are still printed).")
    var quiet = false

    /// Silences progress for the run when `--quiet` was given.
    func apply() {
        if quiet { Terminal.silenceProgress() }
    }
}

import ArgumentParser
import Foundation
import StrataOnline

/// `strata materialize-incremental --end T`: continues each online view from its watermark.
struct MaterializeIncrementalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "materialize-incremental",
        abstract: "Materialise each online feature view from its watermark (the beginning of time on the first run) to --end.",
        discussion: """
            The watermarks advance only after every write of the run succeeded; a failed or killed run leaves \
            them where they were, and running again converges to the same state. A view whose watermark \
            Redis holds no marker for (Redis restarted without persistence, was flushed or replaced) is \
            re-materialised from the beginning, with a warning. A view whose watermark is already past --end \
            is skipped and reported; an --end after the time of the run is clamped to it.
            """)

    @OptionGroup var options: MaterializeOptions

    func run() throws {
        try options.run { materializer, project, views, end in
            try materializer.materializeIncremental(
                project: project, views: views, end: end, progress: OnlineCommandSupport.progress)
        }
    }
}

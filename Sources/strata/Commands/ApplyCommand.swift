import ArgumentParser
import StrataCore
import StrataOnline
import StrataRegistry

/// `strata apply [DIR]`: registers the schema files, in one transaction, then deletes the online values
/// the change made unreadable.
struct ApplyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Register the schema files: new versions of what changed, in one transaction. Applying the same files twice is a no-op.",
        discussion: """
            A breaking change (a feature removed or retyped, a view, entity or service removed, a changed \
            join key) is refused unless --allow-breaking is given. Online views whose stored values the \
            change invalidates (removed, turned offline, features or join keys changed) get their watermark \
            reset in the same transaction; their Redis keys are deleted afterwards. A deletion that fails \
            is reported, and retried by the next apply, materialize or push.
            """)

    @OptionGroup var schema: SchemaOptions
    @OptionGroup var connection: ConnectionOptions

    @Flag(name: .customLong("allow-breaking"), help: "Apply breaking changes too (see `strata plan`).")
    var allowBreaking = false

    @Flag(name: .long, help: "Print what was applied as JSON.")
    var json = false

    func run() throws {
        let (repository, registry) = try SchemaLoading.loadValidated(directory: schema.directory, connection: connection)
        let outcome = try SchemaApply.apply(
            repository, registry: registry, allowBreaking: allowBreaking, waiting: { Terminal.printError("\($0).") },
            redis: { try OnlineCommandSupport.redis(connection) })
        if json {
            print(try JSONOutput.encode(PlanOutput(plan: outcome.plan, indexAdvice: [])))
        } else if outcome.plan.isEmpty {
            print("No changes: project \(repository.project) is up to date.")
        } else {
            print(outcome.plan.render().replacingOccurrences(of: "Plan for project", with: "Applied to project"))
        }
        if !json {
            for cleaned in outcome.cleanup.cleaned {
                print("Deleted \(cleaned.keys) online keys of feature view \(cleaned.view).")
            }
        }
        for failed in outcome.cleanup.failed { Terminal.printError("warning: \(failed)") }
    }
}

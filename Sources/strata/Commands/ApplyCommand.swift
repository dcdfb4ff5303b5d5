import ArgumentParser
import StrataCore
import StrataRegistry

/// `strata apply [DIR]`: registers the schema files, in one transaction.
struct ApplyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Register the schema files: new versions of what changed, in one transaction. Applying the same files twice is a no-op.")

    @OptionGroup var schema: SchemaOptions
    @OptionGroup var connection: ConnectionOptions

    @Flag(name: .long, help: "Print what was applied as JSON.")
    var json = false

    func run() throws {
        let (repository, registry) = try SchemaLoading.loadValidated(directory: schema.directory, connection: connection)
        let plan = try registry.apply(repository)
        if json {
            print(try JSONOutput.encode(PlanOutput(plan: plan, indexAdvice: [])))
        } else if plan.isEmpty {
            print("No changes: project \(repository.project) is up to date.")
        } else {
            print(plan.render().replacingOccurrences(of: "Plan for project", with: "Applied to project"))
        }
    }
}

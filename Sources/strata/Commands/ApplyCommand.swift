import ArgumentParser
import StrataCore
import StrataOnline
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
        let stale = try clearOnlineKeys(before: repository, registry: registry)
        let plan = try registry.apply(repository)
        for view in stale { try registry.removeWatermark(project: repository.project, view: view) }
        if json {
            print(try JSONOutput.encode(PlanOutput(plan: plan, indexAdvice: [])))
        } else if plan.isEmpty {
            print("No changes: project \(repository.project) is up to date.")
        } else {
            print(plan.render().replacingOccurrences(of: "Plan for project", with: "Applied to project"))
        }
    }

    /// Deletes the Redis keys of online views that the new schema removes, turns offline or re-lays out
    /// (docs/online-layout.md), before the registry changes; returns those views. Redis may be down when
    /// none of them was ever materialised.
    func clearOnlineKeys(before repository: Repository, registry: Registry) throws -> [String] {
        let current = try registry.repository(project: repository.project)
        let views = OnlineStore.viewsToClear(from: current, to: repository)
        guard !views.isEmpty else { return [] }
        let marks = try registry.watermarks(project: repository.project)
        do {
            let redis = try OnlineCommandSupport.redis(connection)
            for view in views {
                let removed = try OnlineStore.removeKeys(project: repository.project, view: view, redis: redis)
                if !json { print("Removed \(removed) online keys of feature view \(view).") }
            }
        } catch where views.allSatisfy({ marks[$0] == nil }) {
            return views
        }
        return views
    }
}

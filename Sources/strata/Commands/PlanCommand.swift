import ArgumentParser
import Foundation
import StrataCore
import StrataRegistry

/// `strata plan [DIR]`: what `apply` would change, without changing anything.
struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show what `apply` would change in the registry (added, changed, removed; breaking changes marked).")

    @OptionGroup var schema: SchemaOptions
    @OptionGroup var connection: ConnectionOptions

    @Flag(name: .long, help: "Print the plan as JSON.")
    var json = false

    func run() throws {
        let (repository, registry) = try SchemaLoading.loadValidated(directory: schema.directory, connection: connection, forReading: true)
        let plan = try registry.plan(repository)
        let advice = try SourceChecker.indexAdvice(for: repository, connection: registry.connection)
        let partitions = try SourceChecker.partitionAdvice(for: repository, connection: registry.connection)
        if json {
            print(try JSONOutput.encode(PlanOutput(plan: plan, indexAdvice: advice, partitionAdvice: partitions)))
        } else {
            print(plan.render())
            for line in advice + partitions { print("hint: \(line)") }
        }
    }
}

struct PlanOutput: Encodable {
    var plan: Plan
    var indexAdvice: [String]
    var partitionAdvice: [String] = []

    enum CodingKeys: String, CodingKey {
        case project, changes, breaking
        case onlineResets = "online_resets"
        case indexAdvice = "index_advice"
        case partitionAdvice = "partition_advice"
    }

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(plan.project, forKey: .project)
        try c.encode(plan.changes, forKey: .changes)
        try c.encode(plan.hasBreakingChanges, forKey: .breaking)
        try c.encode(plan.onlineResets, forKey: .onlineResets)
        try c.encode(indexAdvice, forKey: .indexAdvice)
        try c.encode(partitionAdvice, forKey: .partitionAdvice)
    }
}

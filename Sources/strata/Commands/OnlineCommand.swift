import ArgumentParser
import Foundation
import StrataCore
import StrataOffline
import StrataOnline

/// `strata online (--service S | --features v:f,...) --entity k=v,... [--at T]`: an online lookup.
struct OnlineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "online",
        abstract: "Look up online feature values and print Feast's get-online-features response JSON.",
        discussion: """
            Statuses: PRESENT, NULL_VALUE, NOT_FOUND, OUTSIDE_MAX_AGE (older than the view's ttl at --at; \
            the value is then null). The online store keeps only each entity's latest record: a record whose \
            event time is after --at is reported NOT_FOUND, never as the value at --at. A warning on stderr \
            names each view whose values Redis has lost since they were materialised.
            """)

    @OptionGroup var connection: ConnectionOptions

    @OptionGroup var selection: FeatureOptions

    @Option(name: .long, parsing: .singleValue, help: ArgumentHelp("One entity row: join keys and values, taken exactly as written (no trimming; key= is an empty string).", valueName: "key=value,..."))
    var entity: [String] = []

    @Option(name: .long, help: ArgumentHelp("Entity rows from a file: CSV with the join keys as header, or JSON {\"key\": [values], ...}; for values holding commas.", valueName: "file.csv|file.json"))
    var entities: String?

    @Option(name: .long, help: ArgumentHelp("Lookup time, ISO-8601 UTC (default: now); decides OUTSIDE_MAX_AGE, and NOT_FOUND for records from after it.", valueName: "time"))
    var at: String?

    @Flag(name: .customLong("full-feature-names"), help: "Name features view__feature in the response.")
    var fullFeatureNames = false

    @Option(name: .long, help: "The project (default: the only registered project).")
    var project: String?

    func validate() throws {
        guard !selection.isEmpty else { throw ValidationError("name the features with exactly one of --service and --features") }
        guard entity.isEmpty != (entities == nil) else {
            throw ValidationError("give either --entity key=value,... (one or more) or --entities FILE")
        }
        if let at { _ = try OnlineCommandSupport.time(at, option: "--at") }
    }

    func run() throws {
        let registry = try connection.openRegistryForReading()
        let project = try registry.resolveProject(project)
        let repository = try registry.repository(project: project)
        let query: OnlineQuery = switch try selection.requested() {
        case .service(let service): try OnlineQuery(service: service, in: repository)
        case .references(let references): try OnlineQuery(references, in: repository)
        }
        // Values are exact: ' spaced ' is a key with spaces, and key= an empty string.
        let rows = try entities.map(EntityFile.rows) ?? entity.enumerated().map { number, text in
            try text.split(separator: ",", omittingEmptySubsequences: false).map { pair -> (name: String, value: String) in
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                guard parts.count == 2 else {
                    throw CLIError(.badInput, "--entity \(number + 1): '\(pair)' is not key=value (for values with commas, use --entities FILE)")
                }
                return (String(parts[0]).trimmingCharacters(in: .whitespaces), String(parts[1]))
            }
        }
        let redis = try OnlineCommandSupport.redis(connection)
        let store = OnlineStore(redis: redis, repository: repository)
        let result = try store.onlineFeatures(
            query, entities: try query.entities(parsing: rows), at: try at.map { try OnlineCommandSupport.time($0, option: "--at") })
        let views = Array(Set(query.references.map(\.view))).sorted()
        for finding in try OnlineMarkers.check(project: project, views: views, registry: registry, redis: redis)
        where !finding.isWitnessed {
            Terminal.printError("warning: \(finding); run `strata materialize-incremental` to restore it")
        }
        print(result.feastJSON(fullFeatureNames: fullFeatureNames))
    }
}

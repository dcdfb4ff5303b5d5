import ArgumentParser
import StrataCore
import StrataRegistry

/// `strata list`: what the registry holds.
struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "Show the registered entities, sources, feature views and feature services.")

    @OptionGroup var connection: ConnectionOptions

    @Option(name: .long, help: "Only this project (default: every project).")
    var project: String?

    @Flag(name: .long, help: "Print as JSON.")
    var json = false

    func run() throws {
        let registry = try connection.openRegistryForReading()
        // A project that is not registered is an error (exit 2), not an empty listing.
        let projects = try project.map { [try registry.resolveProject($0)] } ?? registry.projects()
        var listed: [ListedProject] = []
        for name in projects {
            let objects = try registry.currentObjects(project: name)
            let repository = try registry.repository(project: name)
            let versions = Dictionary(objects.map { ("\($0.kind.rawValue)/\($0.name)", $0) }, uniquingKeysWith: { a, _ in a })
            listed.append(ListedProject(repository: repository, versions: versions))
        }
        if json {
            print(try JSONOutput.encode(listed))
            return
        }
        if listed.isEmpty {
            print("The registry is empty. Register schema files with `strata apply schemas`.")
            return
        }
        for project in listed { print(project.render()) }
    }
}

struct ListedProject: Encodable {
    var repository: Repository
    var versions: [String: RegisteredObject]

    func version(_ kind: ObjectKind, _ name: String) -> Int { versions["\(kind.rawValue)/\(name)"]?.version ?? 0 }
    func appliedAt(_ kind: ObjectKind, _ name: String) -> String { versions["\(kind.rawValue)/\(name)"]?.appliedAt ?? "" }

    func render() -> String {
        var lines = ["project \(repository.project)"]
        lines.append("  entities:")
        for e in repository.entities {
            lines.append("    \(e.name) (join key \(e.joinKey): \(e.type.rawValue)) v\(version(.entity, e.name))")
        }
        lines.append("  sources:")
        for s in repository.sources {
            let created = s.createdTimestampColumn.map { ", created \($0)" } ?? ""
            lines.append("    \(s.name): table \(s.table), timestamp \(s.timestampColumn)\(created) v\(version(.source, s.name))")
        }
        lines.append("  feature views:")
        for v in repository.featureViews {
            let age = v.hopSeconds.map { "hop \(Durations.format($0))" } ?? "ttl \(Durations.format(v.ttlSeconds))"
            lines.append(
                "    \(v.name) [\(v.entities.joined(separator: ", "))] from \(v.source), \(age), \(v.online ? "online" : "offline only") v\(version(.featureView, v.name))")
            if let aggregations = v.aggregations {
                for a in aggregations { lines.append("      \(a.name): \(a.summary)") }
            } else {
                for f in v.features { lines.append("      \(f.name): \(f.type.rawValue)") }
            }
        }
        lines.append("  feature services:")
        for s in repository.featureServices {
            lines.append("    \(s.name) (\(s.features.count) features) v\(version(.featureService, s.name))")
            for f in s.features { lines.append("      \(f)") }
        }
        return lines.joined(separator: "\n")
    }

    enum CodingKeys: String, CodingKey { case project, entities, sources, featureViews = "feature_views", featureServices = "feature_services" }

    struct Versioned<T: Encodable>: Encodable {
        var version: Int
        var appliedAt: String
        var spec: T
        enum CodingKeys: String, CodingKey { case version, appliedAt = "applied_at", spec }
    }

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(repository.project, forKey: .project)
        try c.encode(repository.entities.map { Versioned(version: version(.entity, $0.name), appliedAt: appliedAt(.entity, $0.name), spec: $0) }, forKey: .entities)
        try c.encode(repository.sources.map { Versioned(version: version(.source, $0.name), appliedAt: appliedAt(.source, $0.name), spec: $0) }, forKey: .sources)
        try c.encode(repository.featureViews.map { Versioned(version: version(.featureView, $0.name), appliedAt: appliedAt(.featureView, $0.name), spec: $0) }, forKey: .featureViews)
        try c.encode(repository.featureServices.map { Versioned(version: version(.featureService, $0.name), appliedAt: appliedAt(.featureService, $0.name), spec: $0) }, forKey: .featureServices)
    }
}

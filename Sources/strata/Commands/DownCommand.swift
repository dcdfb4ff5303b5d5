import ArgumentParser
import StrataEmbedded

/// `strata down`: stops the embedded PostgreSQL and Redis, keeping their data.
struct DownCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "down",
        abstract: "Stop the local PostgreSQL and Redis (or Redis Cluster) started by `strata up`, keeping their data for the next `up`.",
        discussion: """
            PostgreSQL stops after a checkpoint; Redis writes its append-only file to disk as it stops. A Redis \
            that crashes instead loses at most its last second of writes.
            """)

    @Option(name: .customLong("state-dir"), help: ArgumentHelp("Folder of the embedded services.", valueName: "dir"))
    var stateDirectory: String = LocalServices.defaultDirectory

    func run() throws {
        let stopped = try LocalServices.down(directory: stateDirectory)
        if stopped.isEmpty {
            print("Nothing to stop: no embedded service runs under \(stateDirectory)/.")
        }
        for service in stopped {
            switch service.name {
            case "redis": print("redis: stopped; its data is kept in \(service.directory)/appendonlydir (append-only file)")
            case LocalServices.clusterServiceName:
                print("\(service.name): stopped; each node keeps its data in \(service.directory)/node-N/appendonlydir (append-only files)")
            default: print("\(service.name): stopped; its data is kept in \(service.directory)/data")
            }
        }
    }
}

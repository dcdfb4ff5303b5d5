import ArgumentParser
import StrataEmbedded

/// `strata down`: stops the embedded PostgreSQL and Redis, keeping their data.
struct DownCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "down", abstract: "Stop the local PostgreSQL and Redis started by `strata up` (their data is kept).")

    @Option(name: .customLong("state-dir"), help: ArgumentHelp("Folder of the embedded services.", valueName: "dir"))
    var stateDirectory: String = LocalServices.defaultDirectory

    func run() throws {
        let stopped = try LocalServices.down(directory: stateDirectory)
        if stopped.isEmpty {
            print("Nothing to stop: no embedded service runs under \(stateDirectory)/.")
        }
        for service in stopped { print("\(service.name): stopped (data kept in \(service.directory))") }
    }
}

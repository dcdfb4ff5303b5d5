import ArgumentParser
import StrataEmbedded

/// `strata up`: starts the embedded PostgreSQL and Redis.
struct UpCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "Start a local PostgreSQL and Redis under .strata/ on free loopback ports (idempotent).",
        discussion: "The URLs are recorded in .strata/services.json; every other verb uses them when neither --postgres/--redis nor STRATA_POSTGRES_URL/STRATA_REDIS_URL is given.")

    @Option(name: .customLong("state-dir"), help: ArgumentHelp("Folder of the embedded services.", valueName: "dir"))
    var stateDirectory: String = LocalServices.defaultDirectory

    @Flag(name: .long, help: "Print the services as JSON.")
    var json = false

    func run() throws {
        let record = try LocalServices.up(directory: stateDirectory)
        if json {
            print(try JSONOutput.encode(record))
            return
        }
        for service in [record.postgres, record.redis] {
            let state = service.state == .alreadyRunning ? "already running" : "started"
            print("\(service.name): \(state) at \(service.url) (pid \(service.pid.map(String.init) ?? "?"), log \(service.logFile))")
        }
    }
}

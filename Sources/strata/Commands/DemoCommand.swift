import ArgumentParser
import Foundation
import StrataCore
import StrataEmbedded
import StrataExample
import StrataPostgres
import StrataRegistry

/// `strata demo`: the whole flow on the embedded default, from nothing.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the ride-hailing example end to end on the embedded services: up, migrate, load sample data, apply, list.")

    @Option(name: .customLong("state-dir"), help: ArgumentHelp("Folder of the embedded services.", valueName: "dir"))
    var stateDirectory: String = LocalServices.defaultDirectory

    @Option(name: .long, help: "Folder of schema files.")
    var schemas: String = "schemas"

    @Option(name: .long, help: "Number of drivers in the sample data.")
    var drivers: Int = SampleData.Size.small.drivers

    @Option(name: .long, help: "Number of customers in the sample data.")
    var customers: Int = SampleData.Size.small.customers

    @Option(name: .long, help: "Days of history in the sample data.")
    var days: Int = SampleData.Size.small.days

    @Option(name: .long, help: "Seed of the sample data (the same seed gives the same data).")
    var seed: UInt64 = 42

    func validate() throws {
        guard drivers > 0, customers > 0, days > 0 else {
            throw ValidationError("--drivers, --customers and --days must be positive")
        }
    }

    func run() throws {
        step("Starting the embedded services")
        let services = try LocalServices.up(directory: stateDirectory)
        for service in [services.postgres, services.redis] {
            print("  \(service.name): \(service.state == .alreadyRunning ? "already running" : "started") at \(service.url)")
        }

        step("Migrating the registry")
        let db = try PostgresConnection(url: services.postgres.url)
        let migrations = try Migrator.migrate(db)
        print(migrations.isEmpty ? "  up to date" : "  applied migrations \(migrations.map(String.init).joined(separator: ", "))")

        step("Loading sample data (\(drivers) drivers, \(customers) customers, \(days) days, seed \(seed))")
        let sample = SampleData(size: .init(drivers: drivers, customers: customers, days: days), seed: seed)
        let started = Date()
        let counts = try sample.load(into: db) { table, rows in Terminal.progress("  \(table): \(rows) rows") }
        Terminal.endProgress()
        print("  driver_hourly_stats: \(counts.driverHourlyStats) rows")
        print("  customer_daily_profile: \(counts.customerDailyProfile) rows")
        print("  driver_quality: \(counts.driverQuality) rows")
        print("  in \(String(format: "%.1f", Date().timeIntervalSince(started))) s")

        step("Applying \(schemas)/")
        let registry = try Registry(connection: db)
        let repository = try SchemaLoading.loadValidated(directory: schemas, registry: registry)
        let plan = try registry.apply(repository)
        print(plan.isEmpty ? "  no changes: already registered" : plan.render().split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))

        step("Registered")
        let objects = try registry.currentObjects(project: repository.project)
        let versions = Dictionary(objects.map { ("\($0.kind.rawValue)/\($0.name)", $0) }, uniquingKeysWith: { a, _ in a })
        print(ListedProject(repository: try registry.repository(project: repository.project), versions: versions).render())
        print("\nDone. The services keep running: try `strata list`, `strata plan`; stop them with `strata down`.")
    }

    func step(_ text: String) { print("==> \(text)") }
}

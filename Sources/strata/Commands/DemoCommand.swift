import ArgumentParser
import Foundation
import StrataCore
import StrataEmbedded
import StrataExample
import StrataPostgres
import StrataOffline
import StrataOnline
import StrataRedis
import StrataRegistry
import StrataMonitoring
import StrataTraining
import StrataColumnar

/// `strata demo`: the whole flow on the embedded default, from nothing.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the ride-hailing example end to end on the embedded services: up, migrate, load sample data, apply, list, build a training set, train a model, materialise, look up online, check drift.")

    @Option(name: .customLong("state-dir"), help: ArgumentHelp("Folder of the embedded services.", valueName: "dir"))
    var stateDirectory: String = LocalServices.defaultDirectory

    @Option(name: .long, help: ArgumentHelp("Folder of schema files (default: the example schema built into strata, \(ExampleSchema.fileName)).", valueName: "dir"))
    var schemas: String?

    @Option(name: .long, help: "Number of drivers in the sample data.")
    var drivers: Int = SampleData.Size.small.drivers

    @Option(name: .long, help: "Number of customers in the sample data.")
    var customers: Int = SampleData.Size.small.customers

    @Option(name: .long, help: "Days of history in the sample data.")
    var days: Int = SampleData.Size.small.days

    @Option(name: .long, help: "Seed of the sample data (the same seed gives the same data).")
    var seed: UInt64 = 42

    @OptionGroup var progress: ProgressOptions

    /// The largest sizes the demo takes: beyond them the sample data takes hours to generate.
    static let maximumDrivers = 100_000
    static let maximumCustomers = 1_000_000
    static let maximumDays = 3_650

    func validate() throws {
        guard (1...Self.maximumDrivers).contains(drivers), (1...Self.maximumCustomers).contains(customers),
              (1...Self.maximumDays).contains(days)
        else {
            throw ValidationError(
                "--drivers must be in 1...\(Self.maximumDrivers), --customers in 1...\(Self.maximumCustomers) "
                    + "and --days in 1...\(Self.maximumDays); got \(drivers), \(customers) and \(days)")
        }
    }

    func run() throws {
        progress.apply()
        step("Starting the embedded services")
        let services = try LocalServices.up(directory: stateDirectory)
        for service in [services.postgres, services.redis] {
            print("  \(service.name): \(service.state == .alreadyRunning ? "already running" : "started") at \(service.redactedURL)")
        }

        step("Migrating the registry")
        let db = try PostgresConnection(url: services.postgres.url)
        let migrations = try Migrator.migrate(db)
        print(migrations.isEmpty ? "  up to date" : "  applied migrations \(migrations.map(String.init).joined(separator: ", "))")

        step("Loading sample data (\(drivers) drivers, \(customers) customers, \(days) days, seed \(seed))")
        // The data ends at today's midnight (UTC), so that online expiry, counted from event times, keeps it.
        let day: Int64 = 86_400_000_000
        let today = Int64(Date().timeIntervalSince1970 * 1e6) / day * day
        let sample = SampleData(
            size: .init(drivers: drivers, customers: customers, days: days), seed: seed, start: today - Int64(days) * day)
        let started = Date()
        let counts = try sample.load(into: db) { table, rows in Terminal.progress("  \(table): \(rows) rows") }
        Terminal.endProgress()
        print("  driver_hourly_stats: \(counts.driverHourlyStats) rows")
        print("  customer_daily_profile: \(counts.customerDailyProfile) rows")
        print("  driver_quality: \(counts.driverQuality) rows")
        print("  trips: \(counts.trips) rows")
        // The spine's label looks ahead in driver_hourly_stats per driver and time: without this index that
        // lookup scans the table for every spine row, and the demo grows quadratically with its size.
        try db.execute("CREATE INDEX driver_hourly_stats_driver_time ON driver_hourly_stats (driver_id, event_timestamp)")
        print("  in \(String(format: "%.1f", Date().timeIntervalSince(started))) s")

        let registry = try Registry(connection: db)
        let repository: Repository
        if let schemas {
            step("Applying \(schemas)/")
            repository = try SchemaLoading.loadValidated(directory: schemas, registry: registry)
        } else {
            step("Applying the example schema (\(ExampleSchema.fileName), built in)")
            repository = try SchemaLoading.validate(
                try SchemaLoader.parse(ExampleSchema.text, file: ExampleSchema.fileName), registry: registry)
        }
        let plan = try registry.apply(repository)
        print(plan.isEmpty ? "  no changes: already registered" : plan.render().split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))

        step("Registered")
        let objects = try registry.currentObjects(project: repository.project)
        let versions = Dictionary(objects.map { ("\($0.kind.rawValue)/\($0.name)", $0) }, uniquingKeysWith: { a, _ in a })
        print(ListedProject(repository: try registry.repository(project: repository.project), versions: versions).render())
        try trainingSet(registry: registry, sample: sample, services: services)
        try materializeAndLookUp(registry: registry, project: repository.project, sample: sample, services: services)
        try driftCheck(registry: registry, sample: sample, services: services)
        print("\nDone. The services keep running: try `strata list`, `strata online --service driver_ranking --entity driver_id=1001,customer_id=50001`; stop them with `strata down`.")
        print("""

            Serve the features and the model over HTTP (Feast's API; Ctrl-C stops it):
              strata serve\(stateDirectory == LocalServices.defaultDirectory ? "" : " --state-dir \(stateDirectory)")
              curl -s localhost:6566/get-online-features -d '{"feature_service": "driver_ranking", "entities": {"driver_id": [1001], "customer_id": [\(SampleData.firstCustomerID)]}}'
              curl -s localhost:6566/predict -d '{"model": "demo_conversion", "version": 1, "entities": {"driver_id": [1001], "customer_id": [\(SampleData.firstCustomerID)]}}'
            """)
    }

    func step(_ text: String) { print("==> \(text)") }

    /// A point-in-time-correct training set over a spine of (driver, customer, time, label) rows.
    func trainingSet(registry: Registry, sample: SampleData, services: ServicesRecord) throws {
        step("Building a point-in-time-correct training set (service driver_ranking)")
        let started = Date()
        let set = try TrainingSetBuilder(registry: registry)
            .build(TrainingSetRequest(features: .service("driver_ranking"), spine: .query(sample.conversionSpine))) { view, rows in
                Terminal.progress("  \(view): \(rows) rows read")
            }
        Terminal.endProgress()
        let path = services.directory + "/demo-training-set.csv"
        try CSVWriter.write(set.frame, to: path)
        print("  \(set.frame.rowCount) rows × \(set.frame.columnCount) columns in \(String(format: "%.2f", Date().timeIntervalSince(started))) s → \(path)")
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").prefix(4)
        for line in lines { print("  " + line) }
        try train(set, registry: registry)
    }

    /// Trains a GBDT on the set (label: will the driver convert well in the next 12 hours?), validating
    /// on the last two days, and registers it as model `demo_conversion`.
    func train(_ set: TrainingSet, registry: Registry) throws {
        step("Training a GBDT on it (label: the driver's conversion rate in the next 12 hours is above 0.5)")
        // The last two days validate; a sample too small to leave rows before them is not trained on.
        let times = set.frame[SpineLoader.timestampColumn]?.timestampValues ?? []
        guard let latest = times.max(), times.contains(where: { $0 < latest - 2 * 86_400_000_000 }) else {
            print("  skipped: \(set.frame.rowCount) spine rows leave none before the last two days to train on; run with --days 4 or more")
            return
        }
        let features = set.lineage.features.compactMap(FeatureReference.init(parsing:))
        var parameters = try TrainingParameters(["num_iterations=50", "num_leaves=15", "min_data_in_leaf=10"])
        parameters.seed = 7
        let result = try Trainer.train(
            frame: set.frame, label: "label", features: features.map(\.columnName), algorithm: .gbdt, parameters: parameters,
            validation: .fromTime(column: SpineLoader.timestampColumn, micros: latest - 2 * 86_400_000_000))
        let name = "demo_conversion"
        let registered = try ModelRegistration.register(
            result, name: name, algorithm: .gbdt, set: set, features: features, label: "label", registry: registry)
        let auc = registered.metrics["validation"]?["auc"].map { String(format: "%.3f", $0) } ?? "n/a"
        print("  registered \(name) v\(registered.version) in \(String(format: "%.2f", result.trainSeconds)) s; validation AUC \(auc); `strata models list` shows it")
    }

    /// Materialises every online view up to the end of the sample data, then looks one pair up.
    func materializeAndLookUp(registry: Registry, project: String, sample: SampleData, services: ServicesRecord) throws {
        step("Materialising the latest values into Redis (up to \(UTCTimestamp.format(sample.end)))")
        let redis = try RedisEndpoint(services.redis.url).connect(timeout: .seconds(30))
        let reports = try Materializer(registry: registry, redis: redis)
            .materializeIncremental(project: project, end: sample.end, progress: OnlineCommandSupport.progress)
        Terminal.endProgress()
        for report in reports.views {
            print("  \(report.view): \(report.entities) entities in \(String(format: "%.2f", report.seconds)) s")
        }
        step("Online lookup at \(UTCTimestamp.format(sample.end)) (driver 1001, customer \(SampleData.firstCustomerID))")
        let repository = try registry.repository(project: project)
        let query = try OnlineQuery(service: "driver_ranking", in: repository)
        let entities = try query.entities(parsing: [[("driver_id", "1001"), ("customer_id", String(SampleData.firstCustomerID))]])
        let result = try OnlineStore(redis: redis, repository: repository).onlineFeatures(query, entities: entities, at: sample.end)
        print(result.feastJSON())
    }

    /// Tests the service's features in the sample's first half against its second half, as
    /// `strata drift` does, and writes the HTML report beside the training set.
    func driftCheck(registry: Registry, sample: SampleData, services: ServicesRecord) throws {
        let middle = sample.start + (sample.end - sample.start) / 2
        let reference = DriftInput.window(from: sample.start, to: middle)
        let current = DriftInput.window(from: middle, to: sample.end)
        step("Checking drift (service driver_ranking): \(reference) against \(current)")
        let run = try DriftMonitor(registry: registry, openConnection: { try PostgresConnection(url: services.postgres.url) })
            .run(DriftRequest(features: .service("driver_ranking"), reference: reference, current: current))
        print(DriftCommand.table(run.report).split(separator: "\n", omittingEmptySubsequences: false).map { $0.isEmpty ? "" : "  " + $0 }.joined(separator: "\n"))
        let path = services.directory + "/demo-drift.html"
        try PartialFile.write(Array(HTMLReport.render(run.report).utf8), to: path)
        print("  report → \(path); the same check: strata drift --service driver_ranking --reference '\(reference)' --current '\(current)' --report drift.html")
    }
}

import Foundation
import StrataColumnar
import StrataCore
import StrataEmbedded
import StrataExample
import StrataOffline
import StrataOnline
import StrataPostgres
import StrataRedis
import StrataRegistry
import StrataTestSupport
import StrataTraining
#if canImport(Glibc)
import Glibc
#endif

/// `serve`: `strata serve` under wrk on loopback beside nginx (Debian's nginx-light returning the same
/// bytes) and a canned Hummingbird server (the framework's own ceiling), interleaved, medians of
/// `--runs` runs of `--seconds` seconds after a warm-up: 1 and 32 connections of one (driver,
/// customer) pair × 8 features, 100 entities per request at 8 connections, `/predict` with a GBDT of
/// 100 trees × 31 leaves, the cost of logging every request, Redis commands coalesced or not, and
/// RSS over a `--soak`-second run. Needs `wrk` and `nginx` (apt-get install -y wrk nginx-light) and the
/// release `strata` beside this executable; run from the repository (it applies `schemas/`).
enum ServeSuite {
    struct Options {
        var seconds = 10
        var runs = 3
        var warmup = 3
        var soak = 60
        var schemas = "schemas"
    }

    /// What wrk measured in one run.
    struct Run {
        var requestsPerSecond: Double
        var p50: Double
        var p99: Double
        var errors: Int
        var requests: Int
    }

    static func run(_ arguments: [String]) throws {
        if arguments.first == "--canned", arguments.count >= 3, let port = Int(arguments[1]) {
            try blocking { try await CannedServer.run(port: port, bodyFile: arguments[2]) }
            return
        }
        var options = Options()
        var index = 0
        while index + 1 < arguments.count {
            let value = arguments[index + 1]
            switch arguments[index] {
            case "--seconds": options.seconds = Int(value) ?? options.seconds
            case "--runs": options.runs = Int(value) ?? options.runs
            case "--warmup": options.warmup = Int(value) ?? options.warmup
            case "--soak": options.soak = Int(value) ?? options.soak
            case "--schemas": options.schemas = value
            default: throw BenchError("unknown option \(arguments[index])")
            }
            index += 2
        }
        for tool in ["wrk", "nginx"] where ExecutableSearch.find(tool, alsoIn: ["/usr/sbin"]) == nil {
            throw BenchError("\(tool) is not installed: apt-get install -y wrk nginx-light")
        }
        let strata = ChildProcess.binaryFolder + "/strata"
        guard FileManager.default.isExecutableFile(atPath: strata) else {
            throw BenchError("no strata beside strata-bench at \(strata): swift build -c release first")
        }
        let servers = try BenchServers()
        defer { servers.stop() }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("strata-serve-bench-\(getpid())").path
        let scratch = try BenchCleanup.shared.temporaryFolder(folder)
        defer { BenchCleanup.shared.finish(scratch) }

        let sample = try prepare(servers, options: options)
        let bodies = requestBodies(sample, count: 200, entitiesPerRequest: 1)
        let batchBodies = requestBodies(sample, count: 200, entitiesPerRequest: 100)
        let predictBodies = bodies.map { $0.replacingOccurrences(of: #""feature_service":"driver_ranking""#, with: #""model":"bench_eta""#) }
        let script = try writeScript(folder, "lookup", path: "/get-online-features", bodies: bodies)
        let batchScript = try writeScript(folder, "batch", path: "/get-online-features", bodies: batchBodies)
        let predictScript = try writeScript(folder, "predict", path: "/predict", bodies: predictBodies)

        var processes = BenchProcesses()
        defer { processes.stopAll() }
        // The URLs carry the throwaway servers' passwords: in the environment, which `ps` does not show.
        let common = ["serve", "--max-entities", "10000"]
        let secrets = ["STRATA_POSTGRES_URL": servers.postgresURL, "STRATA_REDIS_URL": servers.redisURL]
        let strataPort = try processes.start("strata serve", strata, common + ["--port", String(try port())], environment: secrets)
        let singlePort = try processes.start(
            "strata serve --max-pipeline 1", strata, common + ["--port", String(try port()), "--max-pipeline", "1"], environment: secrets)
        let loggingPort = try processes.start(
            "strata serve --log-sample 1", strata, common + ["--port", String(try port()), "--log-sample", "1"], environment: secrets)
        let response = try LoopbackHTTP.request(port: strataPort.port, method: "POST", path: "/get-online-features", body: bodies[0])
        guard response.status == 200, String(decoding: response.body, as: UTF8.self).contains(#""PRESENT""#) else {
            throw BenchError("strata serve answered \(response.status): \(String(decoding: response.body, as: UTF8.self))")
        }
        let bodyFile = folder + "/response.json"
        try Data(response.body).write(to: URL(fileURLWithPath: bodyFile))
        let cannedPort = try processes.start(
            "canned Hummingbird", ChildProcess.binaryFolder + "/strata-bench", ["serve", "--canned", String(try port()), bodyFile])
        let nginxPort = try startNginx(&processes, folder: folder, body: response.body)
        log("response: \(response.body.count) bytes; servers up")

        // 1 and 32 connections, the servers taking turns run by run.
        var table = ResultTable("1 entity × 8 features", "req/s", "p50 ms", "p99 ms", "errors")
        let c1 = try interleaved(
            [("nginx", nginxPort.port), ("canned Hummingbird", cannedPort.port), ("strata serve", strataPort.port)],
            script: script, connections: 1, threads: 1, options: options)
        let c32 = try interleaved(
            [("nginx", nginxPort.port), ("canned Hummingbird", cannedPort.port), ("strata serve", strataPort.port),
             ("strata serve --max-pipeline 1", singlePort.port), ("strata serve --log-sample 1", loggingPort.port)],
            script: script, connections: 32, threads: 2, options: options)
        for (label, runs) in c1 { table.add("c1 " + label, fmt(med(runs, \.requestsPerSecond), 0), fmt(med(runs, \.p50), 3), fmt(med(runs, \.p99), 3), String(runs.map(\.errors).reduce(0, +))) }
        for (label, runs) in c32 { table.add("c32 " + label, fmt(med(runs, \.requestsPerSecond), 0), fmt(med(runs, \.p50), 3), fmt(med(runs, \.p99), 3), String(runs.map(\.errors).reduce(0, +))) }

        let batch = try interleaved([("strata serve", strataPort.port)], script: batchScript, connections: 8, threads: 2, options: options)
        let predict = try interleaved([("strata serve", strataPort.port)], script: predictScript, connections: 1, threads: 1, options: options)
        for (label, runs) in batch { table.add("100 entities, c8 " + label, fmt(med(runs, \.requestsPerSecond), 0), fmt(med(runs, \.p50), 3), fmt(med(runs, \.p99), 3), String(runs.map(\.errors).reduce(0, +))) }
        for (label, runs) in predict { table.add("/predict c1 " + label, fmt(med(runs, \.requestsPerSecond), 0), fmt(med(runs, \.p50), 3), fmt(med(runs, \.p99), 3), String(runs.map(\.errors).reduce(0, +))) }
        print(table.render())

        // Logging: every row queued before SIGTERM reaches the table.
        let logged = try logCheck(loggingPort, servers: servers, processes: &processes)

        // RSS over a long run after warm-up.
        log("soak: \(options.soak) s at 32 connections")
        _ = try wrk(port: strataPort.port, script: script, connections: 32, threads: 2, seconds: options.warmup)
        let rssBefore = try rssMegabytes(strataPort.pid)
        let soak = try wrk(port: strataPort.port, script: script, connections: 32, threads: 2, seconds: options.soak)
        let rssAfter = try rssMegabytes(strataPort.pid)
        print("soak: \(options.soak) s at 32 connections: \(fmt(soak.requestsPerSecond, 0)) req/s, \(soak.errors) errors; RSS \(fmt(rssBefore, 1)) → \(fmt(rssAfter, 1)) MB")

        let canned1 = c1.first { $0.0 == "canned Hummingbird" }!.1
        let strata1 = c1.first { $0.0 == "strata serve" }!.1
        let canned32 = c32.first { $0.0 == "canned Hummingbird" }!.1
        let nginx32 = c32.first { $0.0 == "nginx" }!.1
        let strata32 = c32.first { $0.0 == "strata serve" }!.1
        let single32 = c32.first { $0.0 == "strata serve --max-pipeline 1" }!.1
        let logging32 = c32.first { $0.0 == "strata serve --log-sample 1" }!.1
        let errors = (strata1 + strata32 + logging32 + batch[0].1 + predict[0].1).map(\.errors).reduce(0, +) + soak.errors
        let rps32 = med(strata32, \.requestsPerSecond)
        print("coalescing at 32 connections: \(fmt(rps32, 0)) req/s with up to 64 lookups per pipelined write, \(fmt(med(single32, \.requestsPerSecond), 0)) with one (ratio \(fmt(rps32 / med(single32, \.requestsPerSecond), 2)))")
        print("served-feature log: \(logged.served) rows served, \(logged.dropped) dropped (counted), \(logged.written) in the table after SIGTERM by \(logged.copies) COPYs; lost \(logged.served - logged.dropped - logged.written)")
        print("reference, measured here earlier, not in a ratio: feast serve (1 worker) 794 req/s at c1 (p99 565 ms), 743 req/s at c32 with socket errors, 8,900 entities/s with 100-entity requests")
        print(
            "serve: c1_p99_ms=\(fmt(med(strata1, \.p99), 3)) c1_p50_ratio_canned=\(fmt(med(strata1, \.p50) / med(canned1, \.p50), 2)) "
                + "c32_rps=\(fmt(rps32, 0)) c32_ratio_canned=\(fmt(rps32 / med(canned32, \.requestsPerSecond), 2)) "
                + "c32_ratio_nginx=\(fmt(rps32 / med(nginx32, \.requestsPerSecond), 2)) errors=\(errors) "
                + "batch100_entities_per_s=\(fmt(med(batch[0].1, \.requestsPerSecond) * 100, 0)) "
                + "predict_p99_ms=\(fmt(med(predict[0].1, \.p99), 3)) "
                + "log_overhead=\(fmt(1 - med(logging32, \.requestsPerSecond) / rps32, 3)) rss_growth_mb=\(fmt(rssAfter - rssBefore, 1))")
    }

    /// Loads the ride-hailing sample (ending at today's midnight, so that lookups now are fresh),
    /// applies the schemas, materialises, and registers a GBDT of 100 trees × 31 leaves trained on the
    /// sample's conversion spine as `bench_eta` in production, with that training set as its lineage.
    static func prepare(_ servers: BenchServers, options: Options) throws -> SampleData {
        let db = try PostgresConnection(url: servers.postgresURL)
        let day: Int64 = 86_400_000_000
        let today = Int64(Date().timeIntervalSince1970 * 1e6) / day * day
        let size = SampleData.Size(drivers: 1_000, customers: 2_000, days: 7)
        let sample = SampleData(size: size, seed: 7, start: today - Int64(size.days) * day)
        log("loading the ride-hailing sample: \(size.drivers) drivers, \(size.customers) customers, \(size.days) days")
        _ = try sample.load(into: db)
        let registry = try Registry(connection: db)
        let repository = try SchemaLoader.load(directory: options.schemas)
        try registry.apply(repository)
        let redis = try RedisConnection(url: RedisURL(servers.redisURL), timeout: .seconds(60))
        _ = try redis.command("FLUSHDB")
        _ = try Materializer(registry: registry, redis: redis).materializeIncremental(project: repository.project, end: sample.end)

        log("training bench_eta: GBDT, 100 trees × 31 leaves, on the sample's conversion spine")
        // The spine's label looks ahead in each driver's hours: indexed, it takes a second, not minutes.
        try db.execute("CREATE INDEX IF NOT EXISTS driver_hourly_stats_bench_label ON driver_hourly_stats (driver_id, event_timestamp)")
        let set = try TrainingSetBuilder(registry: registry)
            .build(TrainingSetRequest(features: .service("driver_ranking"), spine: .query(sample.conversionSpine)))
        let features = set.lineage.features.compactMap(FeatureReference.init(parsing:))
        var parameters = try TrainingParameters(["num_iterations=100", "num_leaves=31", "min_data_in_leaf=5"])
        parameters.seed = 3
        let result = try Trainer.train(
            frame: set.frame, label: "label", features: features.map(\.columnName), algorithm: .gbdt, parameters: parameters)
        // Registered with its training set as lineage, as `strata train` does, so that /predict's
        // compatibility check reads the real lineage.
        let (version, _) = try SavedTrainingSets(registry: registry).registerModel(
            ModelStore.Version(
                project: repository.project, name: "bench_eta", algorithm: "gbdt", parameters: result.model.parameters,
                features: features.map(\.description), label: "label", trainingSet: "", metrics: [:],
                artifact: result.model.artifact()),
            trainedOn: set)
        let store = ModelStore(registry: registry)
        try store.promote(name: "bench_eta", version: version, stage: "production")
        return sample
    }

    /// `count` request bodies, each of `entitiesPerRequest` distinct (driver, customer) pairs of the sample.
    static func requestBodies(_ sample: SampleData, count: Int, entitiesPerRequest: Int) -> [String] {
        let drivers = Int64(sample.size.drivers)
        let customers = Int64(sample.size.customers)
        return (0..<count).map { b in
            let pairs = (0..<entitiesPerRequest).map { e in Int64(b * entitiesPerRequest + e) }
            let driverIDs = pairs.map { String(SampleData.firstDriverID + $0 % drivers) }.joined(separator: ",")
            let customerIDs = pairs.map { String(SampleData.firstCustomerID + ($0 * 7) % customers) }.joined(separator: ",")
            return #"{"feature_service":"driver_ranking","entities":{"driver_id":[\#(driverIDs)],"customer_id":[\#(customerIDs)]}}"#
        }
    }

    /// A wrk script that POSTs the bodies to `path` in turn.
    static func writeScript(_ folder: String, _ name: String, path: String, bodies: [String]) throws -> String {
        var lua = "local bodies = {\n"
        for body in bodies { lua += "[==[\(body)]==],\n" }
        lua += """
            }
            local i = 0
            local headers = { ["Content-Type"] = "application/json" }
            request = function()
              i = i % #bodies + 1
              return wrk.format("POST", "\(path)", headers, bodies[i])
            end

            """
        let file = "\(folder)/\(name).lua"
        try lua.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    /// Runs wrk against each server in turn, `runs` rounds after one warm-up each; returns each
    /// server's runs in the order given.
    static func interleaved(
        _ targets: [(String, Int)], script: String, connections: Int, threads: Int, options: Options
    ) throws -> [(String, [Run])] {
        for (label, port) in targets {
            log("warm-up \(label), \(connections) connections")
            _ = try wrk(port: port, script: script, connections: connections, threads: threads, seconds: options.warmup)
        }
        var results = targets.map { ($0.0, [Run]()) }
        for round in 0..<options.runs {
            for (t, (label, port)) in targets.enumerated() {
                let run = try wrk(port: port, script: script, connections: connections, threads: threads, seconds: options.seconds)
                log("  run \(round + 1) \(label) c\(connections): \(fmt(run.requestsPerSecond, 0)) req/s, p50 \(fmt(run.p50, 3)) ms, p99 \(fmt(run.p99, 3)) ms, \(run.errors) errors")
                results[t].1.append(run)
            }
        }
        return results
    }

    /// One wrk run and its figures.
    static func wrk(port: Int, script: String, connections: Int, threads: Int, seconds: Int) throws -> Run {
        let output = try capture(
            "wrk", ["-t\(threads)", "-c\(connections)", "-d\(seconds)s", "--latency", "-s", script, "http://127.0.0.1:\(port)"])
        var run = Run(requestsPerSecond: 0, p50: .nan, p99: .nan, errors: 0, requests: 0)
        for line in output.split(separator: "\n") {
            let words = line.split(separator: " ", omittingEmptySubsequences: true)
            if line.hasPrefix("Requests/sec:"), let value = words.last.flatMap({ Double($0) }) {
                run.requestsPerSecond = value
            } else if words.first == "50%", words.count == 2 {
                run.p50 = milliseconds(words[1])
            } else if words.first == "99%", words.count == 2 {
                run.p99 = milliseconds(words[1])
            } else if line.contains("Socket errors:") {
                run.errors += words.compactMap { Int($0.trimmingCharacters(in: .punctuationCharacters)) }.reduce(0, +)
            } else if line.contains("Non-2xx or 3xx responses:"), let value = words.last.flatMap({ Int($0) }) {
                run.errors += value
            } else if line.contains("requests in"), let value = words.first.flatMap({ Int($0) }) {
                run.requests = value
            }
        }
        guard run.requestsPerSecond > 0 else { throw BenchError("wrk gave no figures:\n\(output)") }
        return run
    }

    /// wrk's latency text (`123.45us`, `1.23ms`, `1.02s`) in milliseconds.
    static func milliseconds(_ text: Substring) -> Double {
        let units: [(String, Double)] = [("us", 1e-3), ("ms", 1), ("s", 1e3), ("m", 6e4)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            if let value = Double(text.dropLast(suffix.count)) { return value * scale }
        }
        return .nan
    }

    /// Stops the logging server with SIGTERM once its load ended and checks its rows and how many COPYs wrote them.
    static func logCheck(
        _ server: BenchProcesses.Started, servers: BenchServers, processes: inout BenchProcesses
    ) throws -> (served: Int, dropped: Int, written: Int, copies: Int) {
        func value(_ prefix: String, in metrics: String) -> Int {
            metrics.split(separator: "\n").first { $0.hasPrefix(prefix) }.flatMap { $0.split(separator: " ").last }.flatMap { Double($0) }.map { Int($0) } ?? 0
        }
        // Requests wrk sent before it stopped may still be answered (and logged) after it returned: the
        // count is read once two readings 300 ms apart agree.
        let answered = #"strata_http_requests_total{route="/get-online-features",status="200"}"#
        var metrics = ""
        var previous = -1
        for _ in 0..<20 {
            metrics = String(decoding: try LoopbackHTTP.request(port: server.port, method: "GET", path: "/metrics").body, as: UTF8.self)
            let count = value(answered, in: metrics)
            if count == previous { break }
            previous = count
            usleep(300_000)
        }
        let served = value(answered, in: metrics)
        let dropped = value("strata_served_log_dropped_rows_total", in: metrics)
        let status = processes.stop(server)
        guard status == 0 else { throw BenchError("strata serve --log-sample 1 exited \(status) on SIGTERM") }
        let db = try PostgresConnection(url: servers.postgresURL)
        // Each COPY commits on its own, so the distinct inserting transactions count the writer's COPYs.
        let table = try db.execute("SELECT count(*), count(DISTINCT xmin::text) FROM strata_served_features")
        return (served, dropped, Int(table.int(0, 0) ?? 0), Int(table.int(0, 1) ?? 0))
    }

    static func startNginx(_ processes: inout BenchProcesses, folder: String, body: [UInt8]) throws -> BenchProcesses.Started {
        let port = try port()
        let text = String(decoding: body, as: UTF8.self)
        guard !text.contains("'"), !text.contains("\\"), !text.contains("$") else {
            throw BenchError("the canned response holds a character nginx's return string would change")
        }
        let config = """
            worker_processes 1;
            daemon off;
            pid \(folder)/nginx.pid;
            error_log stderr error;
            events { worker_connections 1024; }
            http {
              access_log off;
              client_body_temp_path \(folder)/nginx-body;
              default_type application/json;
              server {
                listen 127.0.0.1:\(port);
                location / { return 200 '\(text)'; }
              }
            }

            """
        try config.write(toFile: folder + "/nginx.conf", atomically: true, encoding: .utf8)
        return try processes.start("nginx", ExecutableSearch.find("nginx", alsoIn: ["/usr/sbin"]) ?? "/usr/sbin/nginx", ["-p", folder, "-c", folder + "/nginx.conf", "-e", "stderr"], port: port)
    }

    static func port() throws -> Int {
        guard let port = Loopback.freePort() else { throw BenchError("no free port on 127.0.0.1") }
        return port
    }

    static func rssMegabytes(_ pid: Int32) throws -> Double {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kilobytes = line.split(separator: " ").dropFirst().first.flatMap({ Double($0) })
        else { throw BenchError("no VmRSS for process \(pid)") }
        return kilobytes / 1024
    }

    static func med(_ runs: [Run], _ key: KeyPath<Run, Double>) -> Double {
        Measure.median(runs.map { $0[keyPath: key] })
    }

    static func capture(_ tool: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ExecutableSearch.find(tool) ?? tool)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        let (_, token) = try BenchCleanup.shared.track({ try process.run() }, as: { .process(process.processIdentifier) })
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        BenchCleanup.shared.release(token)
        return String(decoding: data, as: UTF8.self)
    }

    static func blocking(_ body: @escaping @Sendable () async throws -> Void) throws {
        let done = DispatchSemaphore(value: 0)
        let failure = UncheckedSendable(ErrorBox())
        Task {
            do { try await body() } catch { failure.value.error = error }
            done.signal()
        }
        done.wait()
        if let error = failure.value.error { throw error }
    }

    final class ErrorBox { var error: (any Error)? }

    static func log(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}

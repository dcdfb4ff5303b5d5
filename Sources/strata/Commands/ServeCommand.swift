import ArgumentParser
import Foundation
import Logging
import StrataRedis
import StrataServer

/// `strata serve`: the HTTP feature and prediction server.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve online features and predictions over HTTP (Feast's feature-server API).",
        discussion: """
            Routes: POST /get-online-features, /push, /write-to-online-store and /predict; GET /health and \
            /metrics (Prometheus). Errors are JSON {"error", "detail"} with a 4xx or 5xx status. Registry \
            changes (`strata apply`, `strata models promote`) reach the server without a restart. SIGTERM or \
            SIGINT stops accepting, finishes the requests in flight, flushes the served-feature log and exits 0; \
            a second one stops at once (exit 143 or 130).
            """)

    @OptionGroup var connection: ConnectionOptions

    @Option(name: .long, help: "The address to listen on (loopback by default; 0.0.0.0 for every interface).")
    var host = "127.0.0.1"

    @Option(name: .long, help: "The port to listen on.")
    var port = 6566

    @Option(name: .customLong("token-file"), help: ArgumentHelp("A file holding the bearer token every route but /health requires.", valueName: "file"))
    var tokenFile: String?

    @Option(name: .customLong("log-sample"), help: ArgumentHelp("The share of requests (0 to 1) logged to the strata_served_features table.", valueName: "rate"))
    var logSample = 0.0

    @Option(name: .customLong("max-entities"), help: "The most entities (or pushed rows) per request.")
    var maxEntities = 10_000

    @Option(name: .customLong("max-body"), help: ArgumentHelp("The largest request body, in bytes.", valueName: "bytes"))
    var maxBody = 1 << 20

    @Option(name: .customLong("redis-connections"), help: "Worker threads, each with its own Redis connection.")
    var redisConnections = 2

    @Option(name: .customLong("max-pipeline"), help: "The most requests whose Redis lookups share one pipelined write (1: none).")
    var maxPipeline = 64

    @Option(name: .long, help: "The project (default: the only registered project).")
    var project: String?

    func validate() throws {
        guard (1...65535).contains(port) else { throw ValidationError("--port must be from 1 to 65535, not \(port)") }
        guard (0...1).contains(logSample) else { throw ValidationError("--log-sample must be from 0 to 1, not \(logSample)") }
        guard maxEntities > 0 else { throw ValidationError("--max-entities must be positive, not \(maxEntities)") }
        guard maxBody > 0 else { throw ValidationError("--max-body must be positive, not \(maxBody)") }
        guard (1...64).contains(redisConnections) else {
            throw ValidationError("--redis-connections must be from 1 to 64, not \(redisConnections)")
        }
        guard (1...4096).contains(maxPipeline) else { throw ValidationError("--max-pipeline must be from 1 to 4096, not \(maxPipeline)") }
    }

    func run() throws {
        var configuration = ServerConfiguration(
            postgresURL: try connection.postgresURL(), redisURL: try RedisEndpoint(try connection.redisURL()))
        configuration.host = host
        configuration.port = port
        configuration.project = project
        configuration.token = try tokenFile.map(Self.readToken)
        configuration.logSample = logSample
        configuration.maxEntities = maxEntities
        configuration.maxBody = maxBody
        configuration.redisConnections = redisConnections
        configuration.maxPipeline = maxPipeline
        LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
        // The first SIGTERM or SIGINT stops the server gracefully, whenever it comes: while it starts, the
        // request waits for the server, which then returns from `run` at once; a second one exits at once.
        let stopping = Stopping()
        Interrupts.handOver { name in
            Terminal.printError("\(name): stopping: finishing the requests in flight and flushing the served-feature log (again to stop at once)")
            stopping.request()
        }
        let server = try FeatureServer(configuration: configuration)
        stopping.attach(server)
        Terminal.printError(
            "serving project \(server.project) on http://\(host.contains(":") ? "[\(host)]" : host):\(port) (Ctrl-C stops)")
        let outcome = Outcome()
        let done = DispatchSemaphore(value: 0)
        Task {
            do { try await server.run(handlingSignals: false) } catch { outcome.set(error) }
            done.signal()
        }
        done.wait()
        if let error = outcome.error { throw error }
        Terminal.printError("stopped")
    }

    /// The token in `path`, without surrounding white space.
    static func readToken(_ path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CLIError(.badInput, "--token-file \(path): no such file or not readable")
        }
        let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty else { throw CLIError(.badInput, "--token-file \(path) is empty; it must hold the token") }
        return token
    }

    /// A stop requested by a signal, handed to the server once it exists (`FeatureServer.stop` before
    /// `run` makes `run` return at once).
    final class Stopping: @unchecked Sendable {
        private let lock = NSLock()
        private var requested = false
        private var server: FeatureServer?

        func request() {
            let server = lock.withLock {
                requested = true
                return self.server
            }
            server?.stop()
        }

        func attach(_ server: FeatureServer) {
            let stopNow = lock.withLock {
                self.server = server
                return requested
            }
            if stopNow { server.stop() }
        }
    }

    /// The error the server stopped with, handed from its task to the waiting thread.
    final class Outcome: @unchecked Sendable {
        private let lock = NSLock()
        private var stored: Error?
        var error: Error? { lock.withLock { stored } }
        func set(_ error: Error) { lock.withLock { stored = error } }
    }
}

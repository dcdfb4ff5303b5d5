import ArgumentParser
import Foundation

/// The `strata` command: a feature store with an integrated training and serving engine.
@main
struct StrataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "strata",
        abstract: "A feature store with point-in-time-correct training sets, a Redis online store and a training engine.",
        discussion: """
            Configuration: STRATA_POSTGRES_URL (a libpq URI) and STRATA_REDIS_URL (redis://host:port/db), or \
            --postgres and --redis. With neither, Strata uses the embedded services that `strata up` starts \
            under .strata/ in the working folder.

            Exit codes: 0 success, 1 a finding (e.g. drift over threshold), 2 bad input, 3 a service unreachable.
            """,
        version: "0.1.0",
        subcommands: [
            UpCommand.self, DownCommand.self, MigrateCommand.self, PlanCommand.self, ApplyCommand.self, ListCommand.self,
            TrainingSetCommand.self, TrainCommand.self, ModelsCommand.self, PredictCommand.self, DemoCommand.self,
            MaterializeCommand.self, MaterializeIncrementalCommand.self, PushCommand.self, OnlineCommand.self, DriftCommand.self,
            SkewCommand.self, ServeCommand.self,
        ]
    )

    static func main() {
        Interrupts.install()
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let error where isArgumentParserError(error) {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                return
            }
            if let exit = error as? ExitCode { Foundation.exit(exit.rawValue) }
            Terminal.printError(fullMessage(for: error))
            Foundation.exit(CLIError.Code.badInput.rawValue)
        } catch {
            ErrorReport.exit(with: error)
        }
    }

    static func isArgumentParserError(_ error: Error) -> Bool {
        !(error is CLIError) && String(reflecting: type(of: error)).hasPrefix("ArgumentParser.")
    }
}

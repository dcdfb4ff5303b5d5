import ArgumentParser
import StrataCore
import StrataMonitoring
import StrataOffline
import StrataOnline
import StrataPostgres
import StrataRedis
import StrataRegistry
import StrataTraining
#if canImport(Glibc)
import Glibc
#endif

/// Turns any error into a message on stderr and DESIGN.md's exit code:
/// 1 a finding, 2 bad input, 3 an unreachable service.
enum ErrorReport {
    static func exitCode(for error: Error) -> Int32 {
        switch error {
        case let e as CLIError: e.code.rawValue
        case is SchemaErrors, is SchemaError: CLIError.Code.badInput.rawValue
        case let e as PostgresError: e.isUnreachable ? CLIError.Code.unreachable.rawValue : CLIError.Code.badInput.rawValue
        case let e as RedisError: e.isUnreachable ? CLIError.Code.unreachable.rawValue : CLIError.Code.badInput.rawValue
        case let e as OnlineError: e.isServiceFailure ? CLIError.Code.unreachable.rawValue : CLIError.Code.badInput.rawValue
        case is RegistryError, is OfflineError, is TrainingError, is MonitoringError: CLIError.Code.badInput.rawValue
        default: CLIError.Code.badInput.rawValue
        }
    }

    static func message(for error: Error) -> String {
        switch error {
        case let e as SchemaErrors: "\(e)"
        case let e as PostgresError where e.isUnreachable && e.message.contains("\" does not exist"):
            "\(e.message)\nThe server is running but refused the database or role the URL names: create it, or fix --postgres / STRATA_POSTGRES_URL."
        case let e as PostgresError where e.isUnreachable && e.message.contains("authentication failed"):
            "\(e.message)\nThe server is running but refused the password: fix --postgres / STRATA_POSTGRES_URL."
        case let e as PostgresError where e.isUnreachable:
            "\(e.message)\nIs PostgreSQL running? Start the embedded one with `strata up`, or pass --postgres / set STRATA_POSTGRES_URL."
        case let e as RedisError where e.isUnreachable:
            "\(e.message)\nIs Redis running? Start the embedded one with `strata up`, or pass --redis / set STRATA_REDIS_URL."
        default: "\(error)"
        }
    }

    /// Prints the error and exits with its code.
    static func exit(with error: Error) -> Never {
        let text = message(for: error)
        let prefixed = text.hasPrefix("error") || text.contains(": error: ") ? text : "error: " + text
        Terminal.printError(prefixed)
        Glibc.exit(exitCode(for: error))
    }
}

extension RedisError {
    /// Whether Redis could not be reached or was lost mid-call.
    var isUnreachable: Bool { code == .connectionFailed || code == .connectionLost || code == .timeout || code == .clusterDown }
}

import ArgumentParser
import StrataRegistry

/// `strata migrate`: brings the registry's tables to this Strata's version.
struct MigrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply the registry migrations this Strata ships and the database lacks (needs a role that may create tables).",
        discussion: """
            `up` and `apply` migrate too; the verbs that only read (plan, list, online, models list, show and \
            export) never do, so a read-only role can run them once the registry is migrated. Migrations run \
            in one transaction under an advisory lock: concurrent runs apply each migration once.
            """)

    @OptionGroup var connection: ConnectionOptions

    func run() throws {
        print(Self.summary(try Migrator.migrate(try connection.connectPostgres())))
    }

    /// One line saying which migrations were applied, or that there were none to apply.
    static func summary(_ applied: [Int]) -> String {
        applied.isEmpty
            ? "registry: up to date"
            : "registry: applied migrations \(applied.map(String.init).joined(separator: ", "))"
    }
}

import Foundation

/// The folder holding PostgreSQL's programs (initdb, pg_ctl, psql, createdb).
public struct PostgresBinaries: Sendable, Hashable {
    /// The folder, for example `/usr/lib/postgresql/15/bin`.
    public let directory: String

    /// The full path of the program `name` in the folder.
    public func path(_ name: String) -> String { "\(directory)/\(name)" }

    /// Runs the program `name` (such as `psql` or `createdb`) as the current user and returns its output.
    ///
    /// A failure status throws `LocalServicesError` with code `.commandFailed` and the program's output.
    @discardableResult
    public func run(_ name: String, _ arguments: [String]) throws -> String {
        try ProcessRunner.check(path(name), arguments, doing: "running \(name)")
    }

    /// Finds the programs via `pg_config --bindir`, then `/usr/lib/postgresql/*/bin` (highest version), then `PATH`;
    /// the search runs once per process.
    public static func locate() throws -> PostgresBinaries {
        try search.get()
    }

    private static let search = Result { try findDirectory() }

    private static func findDirectory() throws -> PostgresBinaries {
        let candidates = [fromPGConfig(), fromDebianLayout(), fromPath()].compactMap { $0 }
        guard let directory = candidates.first(where: hasServerPrograms) else {
            throw LocalServicesError(
                code: .binaryNotFound,
                message: "PostgreSQL's server programs (initdb, pg_ctl) were not found via pg_config, /usr/lib/postgresql/*/bin or PATH; install postgresql: apt-get install -y postgresql")
        }
        return PostgresBinaries(directory: directory)
    }

    private static func hasServerPrograms(_ directory: String) -> Bool {
        ["initdb", "pg_ctl", "psql", "createdb"].allSatisfy {
            FileManager.default.isExecutableFile(atPath: "\(directory)/\($0)")
        }
    }

    private static func fromPGConfig() -> String? {
        guard let pgConfig = ExecutableSearch.find("pg_config"),
              let output = try? ProcessRunner.run(pgConfig, ["--bindir"]), output.status == 0
        else { return nil }
        return output.text
    }

    private static func fromDebianLayout() -> String? {
        let root = "/usr/lib/postgresql"
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        return versions
            .filter { hasServerPrograms("\(root)/\($0)/bin") }
            .max { $0.compare($1, options: .numeric) == .orderedAscending }
            .map { "\(root)/\($0)/bin" }
    }

    private static func fromPath() -> String? {
        ExecutableSearch.find("initdb").map { URL(fileURLWithPath: $0).deletingLastPathComponent().path }
    }
}

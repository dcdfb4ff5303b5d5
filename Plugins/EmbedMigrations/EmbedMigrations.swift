import Foundation
import PackagePlugin

/// Compiles the registry's migrations (`migrations/sql/*.sql`) into the `StrataMigrations` module as
/// Swift string literals, so that a `strata` binary copied out of `.build` needs no resource bundle.
@main
struct EmbedMigrations: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let folder = context.package.directoryURL.appending(path: "migrations/sql")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path(percentEncoded: false))
            .filter { $0.hasSuffix(".sql") }
            .sorted()
        let inputs = names.map { folder.appending(path: $0) }
        let output = context.pluginWorkDirectoryURL.appending(path: "StrataMigrations+Embedded.swift")
        return [
            .buildCommand(
                displayName: "Embedding \(names.count) registry migrations",
                executable: try context.tool(named: "StrataMigrationsEmbedder").url,
                arguments: [output.path(percentEncoded: false)] + inputs.map { $0.path(percentEncoded: false) },
                inputFiles: inputs,
                outputFiles: [output])
        ]
    }
}

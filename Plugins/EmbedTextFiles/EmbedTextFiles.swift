import Foundation
import PackagePlugin

/// Compiles text files of the repository into the target that uses the plugin, as Swift string literals, so that
/// a `strata` binary copied out of `.build` needs no resource bundle and no source tree: the registry's
/// migrations (`migrations/sql/*.sql`) into `StrataMigrations`, the example schema (`schemas/rides.yaml`) into
/// `StrataExample`. Each build in which one of the files changed embeds it again.
@main
struct EmbedTextFiles: BuildToolPlugin {
    /// What one target embeds, into `extension TYPE { static let PROPERTY: [(file: String, text: String)] }`.
    struct Embedding: Sendable {
        var type: String
        var property: String
        /// The package's folder the files are in and named relative to ("" for the package's own).
        var base: String
        /// The files, relative to `base`.
        var files: [String] = []
        /// With a suffix, every file of `base` ending in it is embedded too.
        var suffix: String? = nil
    }

    static let embeddings: [String: Embedding] = [
        "StrataMigrations": Embedding(type: "StrataMigrations", property: "embedded", base: "migrations/sql", suffix: ".sql"),
        "StrataExample": Embedding(type: "ExampleSchema", property: "embedded", base: "", files: ["schemas/rides.yaml"]),
    ]

    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        guard let embedding = Self.embeddings[target.name] else {
            throw PluginError(description: "EmbedTextFiles has nothing to embed into the target \(target.name)")
        }
        let base = embedding.base.isEmpty ? context.package.directoryURL : context.package.directoryURL.appending(path: embedding.base)
        var names = embedding.files
        if let suffix = embedding.suffix {
            names += try FileManager.default.contentsOfDirectory(atPath: base.path(percentEncoded: false))
                .filter { $0.hasSuffix(suffix) }.sorted()
        }
        let inputs = names.map { base.appending(path: $0) }
        let output = context.pluginWorkDirectoryURL.appending(path: "\(embedding.type)+Embedded.swift")
        return [
            .buildCommand(
                displayName: "Embedding \(inputs.count) file(s) into \(embedding.type).\(embedding.property)",
                executable: try context.tool(named: "StrataTextEmbedder").url,
                arguments: [
                    output.path(percentEncoded: false), embedding.type, embedding.property, base.path(percentEncoded: false),
                ] + inputs.map { $0.path(percentEncoded: false) },
                inputFiles: inputs,
                outputFiles: [output])
        ]
    }

    struct PluginError: Error, CustomStringConvertible {
        var description: String
    }
}

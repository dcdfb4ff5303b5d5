/// The ride-hailing example's schema (`schemas/rides.yaml`), embedded into the binary from the file itself at build
/// time by the `EmbedTextFiles` plugin, so that `strata demo` runs from any folder.
public enum ExampleSchema {
    /// The file, relative to the repository, that the text comes from.
    public static let fileName = "schemas/rides.yaml"

    /// The file's text as it was when Strata was built.
    public static var text: String {
        // The plugin embeds exactly `fileName` into this target; `BuiltInExampleSchemaTests` checks it did.
        embedded.first { $0.file == fileName }?.text ?? ""
    }
}

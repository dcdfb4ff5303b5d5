import ArgumentParser

/// The folder of schema files a command reads.
struct SchemaOptions: ParsableArguments {
    @Argument(help: ArgumentHelp("Folder of schema files (*.yaml).", valueName: "dir"))
    var directory: String = "schemas"
}

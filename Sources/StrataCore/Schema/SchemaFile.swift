/// The declarations of one schema file, before they are checked against those of other files.
struct SchemaFile {
    /// The file's path, as locations name it.
    var file: String
    /// The `project:` value, where the file names one.
    var project: Located<String>?
    var entities: [EntityDeclaration] = []
    var sources: [SourceDeclaration] = []
    var featureViews: [FeatureViewDeclaration] = []
    var featureServices: [FeatureServiceDeclaration] = []
}

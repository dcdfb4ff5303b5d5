extension ObjectKind {
    /// The kind as a message names it ("feature view").
    var noun: String {
        switch self {
        case .entity: "entity"
        case .source: "source"
        case .featureView: "feature view"
        case .featureService: "feature service"
        case .model: "model"
        }
    }
}

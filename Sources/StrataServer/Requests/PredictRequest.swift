/// A `POST /predict` body: `{"model": "eta", "stage": "production"}` or `{"model": "eta", "version": 3}`
/// (neither: production), `"entities"` as for `get-online-features`, and optionally
/// `"include_features": true`, `"full_feature_names"` and `"at"`. Unknown members are ignored.
struct PredictRequest {
    /// Which version of which model.
    enum Selector: Equatable {
        case stage(String)
        case version(Int)
    }

    /// The model's name.
    let model: String
    /// The version or stage asked for.
    let selector: Selector
    /// The `"entities"` member.
    let entities: JSONValue?
    /// Whether to return the features in Feast's shape beside the predictions.
    let includeFeatures: Bool
    /// Whether those features are named `view__feature`.
    let fullFeatureNames: Bool
    /// The instant to answer as of (µs), nil for now.
    let at: Int64?

    /// The stages a request may name.
    static let stages = ["production", "staging"]

    /// Reads the members of a parsed body.
    /// - Throws: `ServerError` naming the member and value when one is missing or of the wrong type.
    init(_ body: JSONValue) throws(ServerError) {
        guard case .object = body else {
            throw ServerError.badRequest("the body is \(body.typeName); expected a JSON object")
        }
        guard let name = body["model"]?.string, !name.isEmpty else {
            throw ServerError.badRequest(
                "model is \(body["model"]?.excerpt ?? "missing"); expected the name of a registered model as a string")
        }
        model = name
        let version = body.given("version")
        let stage = body.given("stage")
        switch (version, stage) {
        case (.some, .some):
            throw ServerError.badRequest(#"give either "version" or "stage", not both"#)
        case (.some(let value), nil):
            guard let number = value.int64, number > 0, number <= Int64(Int32.max) else {
                throw ServerError.badRequest("version is \(value.excerpt); expected a positive integer")
            }
            selector = .version(Int(number))
        case (nil, .some(let value)):
            guard let text = value.string, Self.stages.contains(text) else {
                throw ServerError.badRequest("stage is \(value.excerpt); expected \"production\" or \"staging\"")
            }
            selector = .stage(text)
        case (nil, nil):
            selector = .stage("production")
        }
        entities = body["entities"]
        includeFeatures = try OnlineFeaturesRequest.bool(body, "include_features") ?? false
        fullFeatureNames = try OnlineFeaturesRequest.bool(body, "full_feature_names") ?? false
        at = try OnlineFeaturesRequest.at(body)
    }
}

import StrataColumnar
import StrataCore

/// A `POST /get-online-features` body, Feast's: `{"features": ["view:feature", ...]}` or
/// `{"feature_service": "name"}`, `"entities"`, `"full_feature_names"` (default false), and Strata's
/// `"at": "ISO-8601"` (answer as of that instant). Members it does not know are ignored, as Feast's
/// SDK sends some Strata has no use for (`include_feature_view_version_metadata`).
struct OnlineFeaturesRequest {
    /// The features asked for.
    let features: RequestedFeatures
    /// The `"entities"` member, checked against the features' join keys later.
    let entities: JSONValue?
    /// Whether to name features `view__feature`.
    let fullFeatureNames: Bool
    /// The instant to answer as of (µs), nil for now.
    let at: Int64?

    /// Reads the members of a parsed body.
    /// - Throws: `ServerError` naming the member and value when one is missing or of the wrong type.
    init(_ body: JSONValue) throws(ServerError) {
        guard case .object = body else {
            throw ServerError.badRequest("the body is \(body.typeName); expected a JSON object")
        }
        features = try Self.requestedFeatures(body)
        entities = body["entities"]
        fullFeatureNames = try Self.bool(body, "full_feature_names") ?? false
        at = try Self.at(body)
    }

    /// `"features"` or `"feature_service"`, exactly one of them.
    static func requestedFeatures(_ body: JSONValue) throws(ServerError) -> RequestedFeatures {
        let features = body.given("features")
        let service = body.given("feature_service")
        switch (features, service) {
        case (nil, nil):
            throw ServerError.badRequest(#"the request names no features: give "features": ["view:feature", ...] or "feature_service": "name""#)
        case (.some, .some):
            throw ServerError.badRequest(#"give either "features" or "feature_service", not both"#)
        case (nil, .some(let value)):
            guard let name = value.string else {
                throw ServerError.badRequest("feature_service is \(value.excerpt); expected the name of a feature service as a string")
            }
            return .service(name)
        case (.some(let value), nil):
            guard case .array(let items) = value, !items.isEmpty else {
                throw ServerError.badRequest(#"features is \#(value.excerpt); expected a non-empty array of "view:feature" strings"#)
            }
            var references: [FeatureReference] = []
            references.reserveCapacity(items.count)
            for (index, item) in items.enumerated() {
                guard let text = item.string, let reference = FeatureReference(parsing: text) else {
                    throw ServerError.badRequest(#"features[\#(index)] is \#(item.excerpt); expected a "view:feature" string"#)
                }
                references.append(reference)
            }
            return .references(references)
        }
    }

    /// A boolean member, nil when absent or null.
    static func bool(_ body: JSONValue, _ key: String) throws(ServerError) -> Bool? {
        switch body[key] {
        case nil, .null?: return nil
        case .bool(let value)?: return value
        case let other?: throw ServerError.badRequest("\(key) is \(other.excerpt); expected true or false")
        }
    }

    /// The `"at"` member as µs since the Unix epoch, nil when absent or null.
    static func at(_ body: JSONValue) throws(ServerError) -> Int64? {
        switch body["at"] {
        case nil, .null?: return nil
        case .string(let text)?:
            guard let micros = UTCTimestamp.parse(text) else {
                throw ServerError.badRequest("at is \"\(text)\"; expected an ISO-8601 time such as 2026-01-31T12:00:00Z")
            }
            return micros
        case let other?:
            throw ServerError.badRequest("at is \(other.excerpt); expected an ISO-8601 time string such as 2026-01-31T12:00:00Z")
        }
    }
}

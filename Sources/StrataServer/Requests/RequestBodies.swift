import StrataColumnar
import StrataCore
import StrataOnline

/// What each route does with its body before it touches a store: parse the JSON, read the request's
/// members, and check them against the served registry. The routes call these steps, then look up,
/// score or write; `answer` runs them alone, so that the request-body fuzz target (StrataFuzzing)
/// drives exactly the routes' code without a server or stores.
public enum RequestBodies {
    /// The routes that take a JSON body.
    public enum Route: String, Sendable, CaseIterable {
        case onlineFeatures = "/get-online-features"
        case push = "/push"
        case writeToOnlineStore = "/write-to-online-store"
        case predict = "/predict"
    }

    /// How a route answers a body before it reaches the stores.
    public enum Answer: Sendable, Equatable {
        /// The request is well formed and would go on to the stores.
        case proceeds
        /// The error response the client gets: HTTP status, stable code and detail.
        case refused(status: Int, code: String, detail: String)
    }

    /// Runs `route`'s body handling on `body` against a registry holding `repository` and the staged
    /// model versions `stages` (model name to stage to version), up to the first store access.
    public static func answer(
        _ route: Route, body: UnsafeRawBufferPointer, repository: Repository, stages: [String: [String: Int]] = [:],
        maxEntities: Int, now: Int64
    ) -> Answer {
        let snapshot = RegistrySnapshot(project: repository.project, repository: repository, version: 0, stages: stages)
        do {
            let json = try parse(body)
            switch route {
            case .onlineFeatures:
                _ = try lookup(json, snapshot: snapshot, maxEntities: maxEntities)
            case .push:
                _ = try push(json, targetKey: "push_source_name", snapshot: snapshot, maxRows: maxEntities, now: now)
            case .writeToOnlineStore:
                _ = try push(
                    json, targetKey: "feature_view_name", feastCreatedColumn: true, snapshot: snapshot, maxRows: maxEntities,
                    now: now)
            case .predict:
                _ = try version(of: try PredictRequest(json), snapshot: snapshot)
            }
            return .proceeds
        } catch {
            let translated = ServerError(translating: error)
            return .refused(status: Int(translated.status.code), code: translated.code.rawValue, detail: translated.detail)
        }
    }

    /// A body as JSON.
    /// - Throws: `ServerError` 400 for malformed JSON, naming the byte offset.
    static func parse(_ bytes: UnsafeRawBufferPointer) throws(ServerError) -> JSONValue {
        do {
            return try JSONParser.parse(bytes)
        } catch {
            throw ServerError(.badRequest, .malformedJSON, "the body is not valid JSON: \(error.message) at byte \(error.offset)")
        }
    }

    /// A `get-online-features` body, resolved and checked: the lookup to run.
    struct Lookup {
        let request: OnlineFeaturesRequest
        let query: OnlineQuery
        let entities: Frame
    }

    static func lookup(_ json: JSONValue, snapshot: RegistrySnapshot, maxEntities: Int) throws -> Lookup {
        let request = try OnlineFeaturesRequest(json)
        let query = try snapshot.query(request.features)
        let entities = try EntityRows.frame(request.entities, joinKeys: query.joinKeys, maxEntities: maxEntities)
        return Lookup(request: request, query: query, entities: entities)
    }

    /// A push body's rows, parsed for each view they go to.
    struct Push {
        let views: [(view: OnlineView, rows: OnlinePush.Rows)]
        let online: Bool
        let offline: Bool
    }

    /// The rows of a `push` or `write-to-online-store` body for each target view: the named view, or
    /// every online view of the named source, each parsed as `strata push` parses a CSV file.
    static func push(
        _ json: JSONValue, targetKey: String, feastCreatedColumn: Bool = false, snapshot: RegistrySnapshot, maxRows: Int,
        now: Int64
    ) throws -> Push {
        let body = try PushRequest(json, targetKey: targetKey, maxRows: maxRows)
        let repository = snapshot.repository
        let names: [String]
        if repository.featureView(named: body.target) != nil {
            names = [body.target]
        } else {
            names = repository.featureViews.filter { $0.source == body.target && $0.online }.map(\.name)
        }
        guard !names.isEmpty else {
            let known = repository.featureViews.map(\.name).sorted().joined(separator: ", ")
            throw ServerError(
                .notFound, .unknownFeature,
                "'\(body.target)' is neither a feature view nor the source of an online view in project \(snapshot.project) (views: \(known.isEmpty ? "none" : known))")
        }
        var parsed: [(OnlineView, OnlinePush.Rows)] = []
        for name in names {
            let push = OnlinePush(view: try OnlineView(named: name, in: repository))
            // Feast's SDK names the created timestamp `created`, whatever the source calls it.
            let request = feastCreatedColumn ? body.renaming("created", to: push.view.source.createdTimestampColumn) : body
            parsed.append((push.view, try push.parse(header: request.header, records: request.csvRecords, file: "df", now: now)))
        }
        return Push(views: parsed, online: body.online, offline: body.offline)
    }

    /// The model version a `predict` body names: its version, or the one its stage points at.
    static func version(of body: PredictRequest, snapshot: RegistrySnapshot) throws(ServerError) -> Int {
        switch body.selector {
        case .version(let number):
            return number
        case .stage(let stage):
            guard let number = snapshot.stages[body.model]?[stage] else {
                let known = snapshot.stages.keys.sorted().joined(separator: ", ")
                throw ServerError(
                    .notFound, .unknownModel,
                    "model \(body.model) has no version in stage \(stage) in project \(snapshot.project) (models with a staged version: \(known.isEmpty ? "none" : known)); promote one with `strata models promote`")
            }
            return number
        }
    }
}

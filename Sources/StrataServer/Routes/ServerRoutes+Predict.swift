import Hummingbird
import StrataColumnar
import StrataOnline
import StrataRegistry

extension ServerRoutes {
    /// `POST /predict`: the model's features looked up online and scored in process (see `PredictRequest`).
    /// Missing values (not found, null, too old) reach the model as missing, as nulls did in training.
    func predict(_ request: Request) async throws -> Response {
        let body = try PredictRequest(try await json(request))
        let snapshot = snapshots.current
        let loaded = try await model(body, snapshot: snapshot)
        try await checkCompatible(loaded, snapshot: snapshot)
        let query = try snapshot.query(.references(loaded.references))
        let entities = try EntityRows.frame(body.entities, joinKeys: query.joinKeys, maxEntities: configuration.maxEntities)
        let at = body.at ?? Self.nowMicros()
        let features = try await workers.lookup(query, entities: entities, at: at)
        return Response.json(
            try prediction(body, model: loaded, features: features, at: at, requestID: request.headers[Self.requestIDHeader]))
    }

    /// The body of a prediction's answer, from the model's features looked up; logs the request when it
    /// is sampled. Used by this route and by `FastLookupHandler`.
    /// - Throws: `TrainingError` when the features do not fit the model.
    func prediction(
        _ body: PredictRequest, model loaded: LoadedModel, features: OnlineFeatures, at: Int64, requestID: String?
    ) throws -> [UInt8] {
        let frame = Frame(
            names: features.references.map(\.columnName), columns: features.values, rowCount: features.rowCount)
        let predictions = try loaded.model.predict(frame, threads: 1)
        metrics.predicted(model: loaded.name, version: loaded.version, count: predictions.count)
        var out: [UInt8] = []
        out.reserveCapacity(64 + predictions.count * 20)
        out += Array(#"{"model":"#.utf8)
        JSONText.appendString(loaded.name, to: &out)
        out += Array(#","version":\#(loaded.version),"predictions":["#.utf8)
        for (index, value) in predictions.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            JSONText.appendDouble(value, to: &out)
        }
        out.append(UInt8(ascii: "]"))
        if body.includeFeatures {
            out += Array(#","features":"#.utf8)
            features.appendFeastJSON(fullFeatureNames: body.fullFeatureNames, to: &out)
        }
        out.append(UInt8(ascii: "}"))
        if log.sample() {
            log.offer(
                ServedRecord(
                    requestID: Self.requestID(requestID), servedAt: Self.nowMicros(), asOf: at, route: "predict",
                    features: features, model: (loaded.name, loaded.version), predictions: predictions))
        }
        return out
    }

    /// Refuses (409 `model_mismatch`, naming the features) a model whose features were retyped or removed
    /// since its training set was built, as `strata predict` does. The verdict is the snapshot's: made at
    /// reload for the cached models, else once here on a worker.
    private func checkCompatible(_ loaded: LoadedModel, snapshot: RegistrySnapshot) async throws {
        var verdict = snapshot.verdict(loaded)
        if verdict == nil {
            verdict = try await workers.run { resources in try snapshot.judge(loaded, registry: try resources.registry()) }
        }
        if case .refused(let refusal)? = verdict { throw refusal }
    }

    /// The model version the request names, from the cache or read from the registry on a worker.
    private func model(_ body: PredictRequest, snapshot: RegistrySnapshot) async throws -> LoadedModel {
        let version = try RequestBodies.version(of: body, snapshot: snapshot)
        if let cached = models.model(name: body.model, version: version) { return cached }
        let models = self.models
        let project = snapshot.project
        let name = body.model
        return try await workers.run { resources in
            try models.load(name: name, version: version, project: project, registry: try resources.registry())
        }
    }
}

import Hummingbird

extension ServerRoutes {
    /// `POST /get-online-features`: Feast's request and response (see `OnlineFeaturesRequest`).
    func onlineFeatures(_ request: Request) async throws -> Response {
        let body = try OnlineFeaturesRequest(try await json(request))
        let snapshot = snapshots.current
        let query = try snapshot.query(body.features)
        let entities = try EntityRows.frame(body.entities, joinKeys: query.joinKeys, maxEntities: configuration.maxEntities)
        let result = try await workers.lookup(query, entities: entities, at: body.at)
        var out: [UInt8] = []
        result.appendFeastJSON(fullFeatureNames: body.fullFeatureNames, to: &out)
        if log.sample() {
            let now = Self.nowMicros()
            log.offer(
                ServedRecord(
                    requestID: Self.requestID(request), servedAt: now, asOf: body.at ?? now, route: "get-online-features",
                    features: result, model: nil, predictions: nil))
        }
        return Response.json(out)
    }
}

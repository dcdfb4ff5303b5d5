import Hummingbird

extension ServerRoutes {
    /// `POST /get-online-features`: Feast's request and response (see `OnlineFeaturesRequest`).
    func onlineFeatures(_ request: Request) async throws -> Response {
        let lookup = try RequestBodies.lookup(
            try await json(request), snapshot: snapshots.current, maxEntities: configuration.maxEntities)
        let body = lookup.request
        let result = try await workers.lookup(lookup.query, entities: lookup.entities, at: body.at)
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

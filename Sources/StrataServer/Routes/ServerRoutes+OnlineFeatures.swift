import Hummingbird
import StrataOnline

extension ServerRoutes {
    /// `POST /get-online-features`: Feast's request and response (see `OnlineFeaturesRequest`).
    ///
    /// Requests with a body of known length are answered before they reach this route, on their event
    /// loop (`FastLookupHandler`); this route answers the others (chunked bodies, pipelined behind another
    /// route's request, a cluster store) with the same steps.
    func onlineFeatures(_ request: Request) async throws -> Response {
        let lookup = try RequestBodies.lookup(
            try await json(request), snapshot: snapshots.current, maxEntities: configuration.maxEntities)
        let at = lookup.request.at ?? Self.nowMicros()
        let result = try await workers.lookup(lookup.query, entities: lookup.entities, at: at)
        return Response.json(answer(lookup, result: result, at: at, requestID: request.headers[Self.requestIDHeader]))
    }

    /// The body of a lookup's answer; logs the request when it is sampled.
    func answer(_ lookup: RequestBodies.Lookup, result: OnlineFeatures, at: Int64, requestID: String?) -> [UInt8] {
        var out: [UInt8] = []
        result.appendFeastJSON(fullFeatureNames: lookup.request.fullFeatureNames, to: &out)
        if log.sample() {
            log.offer(
                ServedRecord(
                    requestID: Self.requestID(requestID), servedAt: Self.nowMicros(), asOf: at, route: "get-online-features",
                    features: result, model: nil, predictions: nil))
        }
        return out
    }
}

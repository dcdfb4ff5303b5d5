import Hummingbird
import StrataOnline

extension ServerRoutes {
    /// `GET /health`: 200 when Redis answers, 503 when not; with PostgreSQL's reachability (the
    /// registry listener's connection) and the registry version served.
    func health(_ request: Request) async throws -> Response {
        let redis: Bool
        do {
            _ = try await workers.run { resources in try resources.redis().command("PING") }
            redis = true
        } catch {
            redis = false
        }
        let snapshot = snapshots.current
        var out: [UInt8] = []
        out += Array(#"{"status":"\#(redis ? "ok" : "unavailable")","redis":{"reachable":\#(redis)},"postgres":{"reachable":\#(listener.postgresReachable)},"registry":{"project":"#.utf8)
        JSONText.appendString(snapshot.project, to: &out)
        out += Array(#","version":\#(snapshot.version)}}"#.utf8)
        return Response.json(status: redis ? .ok : .serviceUnavailable, out)
    }

    /// `GET /metrics`: every metric in Prometheus's text format.
    func metricsText(_ request: Request) async throws -> Response {
        Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: metrics.render())))
    }
}

import Foundation
import Hummingbird

/// Runs around every route: checks the bearer token (all routes but `/health`), turns any error
/// into the JSON body `{"error", "detail"}` with its status, and counts the request and its duration.
struct ServerMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServerMetrics
    /// The token, when one is required.
    let token: BearerToken?

    init(metrics: ServerMetrics, token: BearerToken?) {
        self.metrics = metrics
        self.token = token
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = DispatchTime.now().uptimeNanoseconds
        let route = ServerMetrics.route(of: request.uri.path)
        var response: Response
        do {
            if let token, route != "/health", !token.admits(request.headers[.authorization]) { throw BearerToken.refusal }
            response = try await next(request, context)
        } catch {
            let failure = ServerError(translating: error)
            if failure.status.code >= 500 {
                context.logger.warning("\(request.method) \(request.uri.path): \(failure)")
            }
            response = ServerError.response(status: failure.status, code: failure.code, detail: failure.detail)
            if failure.code == .unauthorized { response.headers[.wwwAuthenticate] = "Bearer" }
        }
        let elapsed = DispatchTime.now().uptimeNanoseconds - start
        metrics.requestFinished(route: route, status: response.status.code, nanoseconds: Int64(clamping: elapsed))
        return response
    }
}

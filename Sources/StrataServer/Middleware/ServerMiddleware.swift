import Foundation
import Hummingbird
import StrataCore

/// Runs around every route: checks the bearer token (all routes but `/health`), turns any error
/// into the JSON body `{"error", "detail"}` with its status, and counts the request and its duration.
struct ServerMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServerMetrics
    /// The SHA-256 of the token, when one is required.
    let tokenDigest: [UInt8]?

    init(metrics: ServerMetrics, token: String?) {
        self.metrics = metrics
        tokenDigest = token.map { SHA256.digest(Array($0.utf8)) }
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = DispatchTime.now().uptimeNanoseconds
        let route = ServerMetrics.route(of: request.uri.path)
        var response: Response
        do {
            if let tokenDigest, route != "/health", !Self.authorized(request, digest: tokenDigest) {
                throw ServerError(
                    .unauthorized, .unauthorized, "this server needs the header Authorization: Bearer <token> with its token")
            }
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

    /// Whether the request carries the token. The digests are compared in constant time, so the time
    /// taken says nothing of how much of a guess was right, nor of the token's length.
    static func authorized(_ request: Request, digest: [UInt8]) -> Bool {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else { return false }
        let given = SHA256.digest(Array(header.utf8.dropFirst("Bearer ".utf8.count)))
        var difference: UInt8 = 0
        for (a, b) in zip(given, digest) { difference |= a ^ b }
        return difference == 0 && given.count == digest.count
    }
}

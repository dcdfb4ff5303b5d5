import StrataServer

/// The feature server's request bodies: `RequestBodies.answer`, the routes' own parsing and checking
/// of a body against the registry, up to the first store access. Every body gets a 4xx or goes on to
/// the stores; a 5xx would be the server failing on what a client sent.
///
/// The input is `[route]` then the body; `route % 4` picks `/get-online-features`, `/push`,
/// `/write-to-online-store` or `/predict`. The registry is the fixture's, with model `eta` staged in
/// production at version 3.
enum HTTPTarget {
    static let stages = ["eta": ["production": 3]]
    /// At most this many entities or rows per request, small enough for bodies to exceed it.
    static let maxEntities = 64
    /// The push time of rows without a created timestamp: 2026-01-01T00:00:00Z.
    static let now: Int64 = 1_767_225_600_000_000

    static func run(_ input: UnsafeRawBufferPointer) throws(FuzzFailure) -> FuzzOutcome {
        let repository = try FuzzFixture.repository(for: .http)
        guard let first = input.first else { return .refused("empty input") }
        let routes = RequestBodies.Route.allCases
        let route = routes[Int(first) % routes.count]
        let body = UnsafeRawBufferPointer(rebasing: input[1...])
        switch RequestBodies.answer(route, body: body, repository: repository, stages: stages, maxEntities: maxEntities, now: now) {
        case .proceeds:
            return .accepted
        case .refused(let status, let code, let detail):
            guard (400..<500).contains(status) else {
                throw FuzzFailure(.http, "\(route.rawValue) answers \(status) \(code): \(detail)")
            }
            guard !detail.isEmpty else { throw FuzzFailure(.http, "\(route.rawValue) answers \(status) \(code) without a detail") }
            return .refused("\(status) \(code): \(detail)")
        }
    }
}

import Foundation
import Hummingbird
import HummingbirdTesting
import StrataServer
import StrataTestSupport
import Testing

@Suite("strata serve: nothing a client sends crashes it", .enabled(if: TestServices.enabled))
struct ServerFuzzTests {
    /// Valid bodies of every route, the seeds that mutations start from.
    static let seeds: [(path: String, body: String)] = [
        ("/get-online-features", #"{"features":["user_stats:clicks","user_stats:segment"],"entities":{"user_id":[1,2,3]},"at":"2026-01-10T01:00:00Z"}"#),
        ("/get-online-features", #"{"feature_service":"scoring","full_feature_names":true,"entities":{"user_id":[1],"store_code":["s1"]}}"#),
        ("/predict", #"{"model":"ranker","stage":"production","include_features":true,"entities":{"user_id":[1,4]}}"#),
        ("/push", #"{"push_source_name":"store_stats","to":"online","df":{"store_code":["s9"],"ts":["2026-01-05T00:00:00Z"],"visits":[3],"rating":[2.5]}}"#),
        ("/write-to-online-store", #"{"feature_view_name":"store_stats","df":{"store_code":["s8"],"event_timestamp":["2026-01-05T00:00:00"],"created":[null],"visits":[1],"rating":[null]}}"#),
    ]

    /// JSON fragments spliced into bodies: odd types, huge and tiny numbers, deep nesting, bad escapes.
    static let fragments = [
        "null", "true", "[]", "{}", "-0", "1e999", "-1e-999", "9223372036854775808", "-9223372036854775809", "0.5",
        #""\ud800""#, #""\u0000""#, #""é""#, String(repeating: "[", count: 100), String(repeating: "[", count: 40) + String(repeating: "]", count: 40),
        #"{"a":1,"a":2}"#, #""user_stats:clicks""#, #"["user_stats:clicks"]"#, #"{"user_id":[1]}"#, "\"", "\\", ",", ":",
        "1.", ".5", "01", "+1", "NaN", "Infinity", "\u{7F}", "\u{01}",
    ]

    @Test func thousandsOfRandomAndMutatedBodiesGetA2xxOr4xx() async throws {
        let fixture = try ServerFixture { $0.maxEntities = 50 }
        let (version, _) = try fixture.registerModel("ranker", seed: 5, iterations: 5)
        _ = version
        var rng = SeededGenerator(seed: 20_261_130)
        var cases: [(path: String, body: [UInt8])] = []
        let paths = Self.seeds.map(\.path)
        for _ in 0..<3_000 {
            let seed = Self.seeds[Int.random(in: 0..<Self.seeds.count, using: &rng)]
            var body = Array(seed.body.utf8)
            switch Int.random(in: 0..<6, using: &rng) {
            case 0:
                body = (0..<Int.random(in: 0...64, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            case 1:
                for _ in 0..<Int.random(in: 1...4, using: &rng) where !body.isEmpty {
                    body[Int.random(in: 0..<body.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
                }
            case 2:
                let start = Int.random(in: 0...body.count, using: &rng)
                let end = Int.random(in: start...body.count, using: &rng)
                body.removeSubrange(start..<end)
            default:
                let fragment = Array(Self.fragments[Int.random(in: 0..<Self.fragments.count, using: &rng)].utf8)
                let start = Int.random(in: 0...body.count, using: &rng)
                let end = Swift.min(body.count, start + Int.random(in: 0...8, using: &rng))
                body.replaceSubrange(start..<end, with: fragment)
            }
            let path = Int.random(in: 0..<5, using: &rng) == 0 ? paths[Int.random(in: 0..<paths.count, using: &rng)] : seed.path
            cases.append((path, body))
        }
        let allCases = cases
        try await fixture.server.application().testOnServerThreads(.router) { client in
            var statuses: [Int: Int] = [:]
            for (path, body) in allCases {
                let status = try await client.execute(uri: path, method: .post, body: ByteBuffer(bytes: body)) { response in
                    response.status.code
                }
                statuses[status, default: 0] += 1
                #expect((200..<500).contains(status), "\(path) \(String(decoding: body, as: UTF8.self)) → \(status)")
            }
            // The mutations must reach past the parser: some succeed, some fail on content.
            #expect(statuses[200, default: 0] > 0)
            #expect(statuses[400, default: 0] > 0)
            let health = try await client.get("/health")
            #expect(health.status == 200)
        }
    }
}

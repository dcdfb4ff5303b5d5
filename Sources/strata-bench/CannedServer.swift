import Foundation
import Hummingbird

/// The serve suite's framework ceiling: a Hummingbird 2 server with the same defaults as `strata
/// serve` that answers every POST with fixed bytes, doing no work. Run as `strata-bench serve --canned
/// PORT FILE` in a process of its own, as `strata serve` runs.
enum CannedServer {
    static func run(port: Int, bodyFile: String) async throws {
        guard let data = FileManager.default.contents(atPath: bodyFile) else { throw BenchError("cannot read \(bodyFile)") }
        let bytes = ByteBuffer(bytes: Array(data))
        let router = Router()
        router.post("/get-online-features") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: bytes))
        }
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: nil))
        try await app.runService()
    }
}

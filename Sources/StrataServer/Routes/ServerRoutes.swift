import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import StrataColumnar

/// The routes' shared state and the steps every route takes: read the body within the limit and
/// parse it. Each route lives in an extension (`ServerRoutes+OnlineFeatures.swift`, ...).
struct ServerRoutes: Sendable {
    let configuration: ServerConfiguration
    let snapshots: SnapshotBox
    let models: ModelCache
    let workers: ServerWorkers
    let log: ServedFeatureLog
    let metrics: ServerMetrics
    let listener: RegistryListener

    /// The request body parsed as JSON, read up to `--max-body` bytes.
    /// - Throws: `ServerError` 413 for a larger body, 400 for malformed JSON (naming the byte offset).
    func json(_ request: Request) async throws -> JSONValue {
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > configuration.maxBody {
            throw tooLarge(length)
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: configuration.maxBody)
        } catch let error as HTTPResponseError where error.status == .contentTooLarge {
            throw tooLarge(nil)
        }
        return try buffer.withUnsafeReadableBytes { bytes throws(ServerError) in try RequestBodies.parse(bytes) }
    }

    private func tooLarge(_ length: Int?) -> ServerError {
        ServerError(
            .contentTooLarge, .bodyTooLarge,
            "the body has \(length.map { "\($0) bytes" } ?? "more bytes than allowed"); this server takes at most \(configuration.maxBody) bytes (--max-body)")
    }

    /// The header a client names its request with, for the log.
    static let requestIDHeader = HTTPField.Name("x-request-id")!

    /// The request's id for the log: its `x-request-id` header when it is short and printable, else a
    /// random one.
    static func requestID(_ given: String?) -> String {
        if let given, !given.isEmpty, given.utf8.count <= 128,
           given.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) {
            return given
        }
        return String(UInt64.random(in: .min ... .max), radix: 16)
    }

    /// Now, in µs since the Unix epoch.
    static func nowMicros() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1e6).rounded())
    }
}

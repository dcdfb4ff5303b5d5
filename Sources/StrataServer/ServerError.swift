import Hummingbird
import StrataOffline
import StrataOnline
import StrataPostgres
import StrataRedis
import StrataRegistry
import StrataTraining

/// A failed request as the client sees it: an HTTP status and the JSON body `{"error", "detail"}`,
/// where `error` is a stable code and `detail` says what was expected, naming the field and value.
///
/// The domain modules know nothing of HTTP; `init(translating:)` maps their errors here.
struct ServerError: Error, Sendable, HTTPResponseError, CustomStringConvertible {
    /// The stable error codes of the HTTP API (the `error` field).
    enum Code: String, Sendable {
        case malformedJSON = "malformed_json"
        case badRequest = "bad_request"
        case badEntity = "bad_entity"
        case tooManyEntities = "too_many_entities"
        case bodyTooLarge = "body_too_large"
        case unknownFeature = "unknown_feature"
        case unknownModel = "unknown_model"
        case notOnline = "not_online"
        case modelMismatch = "model_mismatch"
        case unauthorized = "unauthorized"
        case notFound = "not_found"
        case methodNotAllowed = "method_not_allowed"
        case redisUnavailable = "redis_unavailable"
        case postgresUnavailable = "postgres_unavailable"
        case storeError = "store_error"
        case internalError = "internal_error"
    }

    /// The HTTP status.
    var status: HTTPResponse.Status
    /// The stable code.
    var code: Code
    /// What was expected and where.
    var detail: String

    init(_ status: HTTPResponse.Status, _ code: Code, _ detail: String) {
        self.status = status
        self.code = code
        self.detail = detail
    }

    /// A 400 for a request field: `detail` names the field and the value found.
    static func badRequest(_ detail: String) -> ServerError {
        ServerError(.badRequest, .badRequest, detail)
    }

    var description: String { "\(status.code) \(code.rawValue): \(detail)" }

    /// Maps any error of the modules (or of Hummingbird) to the status and code the client gets.
    init(translating error: any Error) {
        switch error {
        case let error as ServerError:
            self = error
        case let error as OnlineError:
            switch error.code {
            case .unknownFeature: self.init(.notFound, .unknownFeature, error.description)
            case .badEntity: self.init(.badRequest, .badEntity, error.description)
            case .badInput: self.init(.badRequest, .badRequest, error.description)
            case .notOnline: self.init(.badRequest, .notOnline, error.description)
            case .redisRestarted, .redisLostData, .onlineWriteFailed, .cleanupFailed:
                self.init(.serviceUnavailable, .redisUnavailable, error.description)
            case .corruptRecord: self.init(.internalServerError, .storeError, error.description)
            }
        case let error as RedisError:
            switch error.code {
            case .connectionFailed, .connectionLost, .timeout, .protocolError, .clusterDown:
                self.init(.serviceUnavailable, .redisUnavailable, error.description)
            case .serverError, .badURL:
                self.init(.serviceUnavailable, .storeError, error.description)
            }
        case let error as PostgresError:
            self.init(
                .serviceUnavailable, error.isUnreachable ? .postgresUnavailable : .storeError, error.message)
        case let error as RegistryError:
            switch error.code {
            case .notFound: self.init(.notFound, .unknownModel, error.message)
            case .badInput, .breakingChange: self.init(.badRequest, .badRequest, error.message)
            case .migrationMismatch, .notMigrated, .corruptSpec: self.init(.internalServerError, .storeError, error.message)
            }
        case let error as TrainingError:
            self.init(.conflict, .modelMismatch, error.description)
        case let error as OfflineError:
            switch error.code {
            case .incompatibleModel: self.init(.conflict, .modelMismatch, error.description)
            case .unknownFeature, .badSpine, .badOutput, .notFound: self.init(.badRequest, .badRequest, error.description)
            }
        case let error as HTTPResponseError:
            switch error.status {
            case .contentTooLarge: self.init(.contentTooLarge, .bodyTooLarge, "the request body is larger than the server accepts")
            case .notFound: self.init(.notFound, .notFound, "no such route")
            case .methodNotAllowed: self.init(.methodNotAllowed, .methodNotAllowed, "the route does not take this method")
            default: self.init(error.status, .badRequest, "\(error)")
            }
        default:
            self.init(.internalServerError, .internalError, "\(error)")
        }
    }

    /// The JSON body `{"error": code, "detail": detail}`.
    func response(from request: Request, context: some RequestContext) throws -> Response {
        ServerError.response(status: status, code: code, detail: detail)
    }

    static func response(status: HTTPResponse.Status, code: Code, detail: String) -> Response {
        Response.json(status: status, body(code: code, detail: detail))
    }

    /// The bytes of `{"error": code, "detail": detail}`.
    static func body(code: Code, detail: String) -> [UInt8] {
        var body: [UInt8] = []
        body.reserveCapacity(40 + detail.utf8.count)
        body += Array(#"{"error":"#.utf8)
        JSONText.appendString(code.rawValue, to: &body)
        body += Array(#","detail":"#.utf8)
        JSONText.appendString(detail, to: &body)
        body.append(UInt8(ascii: "}"))
        return body
    }
}

extension Response {
    /// A response of JSON bytes.
    static func json(status: HTTPResponse.Status = .ok, _ bytes: [UInt8]) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}

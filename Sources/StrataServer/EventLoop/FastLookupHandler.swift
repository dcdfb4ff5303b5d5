import HTTPTypes
import Logging
import NIOCore
import NIOHTTPTypes

/// Answers `POST /get-online-features` and `POST /predict` on the connection's event loop, before the
/// request reaches Hummingbird's router: the body is parsed where it was read, the lookup goes out on
/// the loop's own Redis connection (`EventLoopRedis`) and the answer is written when its replies come
/// in. The request never waits for a task to be scheduled or a thread to wake, which is most of what a
/// lookup costs beside Redis's own round trip.
///
/// Everything else goes on to Hummingbird untouched, and so does a request that this handler cannot
/// take as it stands: a body of unknown length (chunked) or above `--max-body`, an `Expect` header, or
/// one pipelined behind a request that Hummingbird is still answering (answers keep request order).
/// A prediction whose model is not loaded yet, or whose compatibility with the registry is not judged
/// yet (both need PostgreSQL, which blocks), or that scores more than `maxPredictedRows` rows (which
/// would hold up the loop's other connections), is handed to Hummingbird whole after its body was read.
/// The answers are the routes' (`ServerRoutes.answer`, `ServerRoutes.prediction`), with the same checks,
/// metrics, log and errors as the middleware gives the routes.
///
/// A request pipelined behind one being answered here waits, read but not handled, until that answer is
/// written. On graceful shutdown (`ChannelShouldQuiesceEvent`) a request being answered is finished
/// before the event is passed on to close the connection.
final class FastLookupHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private enum State {
        /// Between requests.
        case idle
        /// Reading the body of a lookup this handler answers.
        case collecting(head: HTTPRequest, body: ByteBuffer, start: UInt64)
        /// Waiting for Redis, or writing the answer.
        case answering
        /// Passing a request's parts on to Hummingbird.
        case forwarding
    }

    static let lookupRoute = "/get-online-features"
    static let predictRoute = "/predict"
    /// The most rows a prediction scores on the event loop.
    static let maxPredictedRows = 256

    private let routes: ServerRoutes
    private let lookups: EventLoopLookups
    private let token: BearerToken?
    private let logger: Logger
    private var redis: EventLoopRedis?
    private var context: ChannelHandlerContext?
    private var state = State.idle
    /// Requests passed on to Hummingbird whose answer has not ended yet.
    private var forwarded = 0
    /// Parts read while a request was being answered here, handled once it is.
    private var held: [HTTPRequestPart] = []
    /// A graceful shutdown asked for while a request was being answered here.
    private var quiescing = false
    /// The connection closed, or the client asked for it to be closed after an answer given here: what
    /// follows is dropped.
    private var closed = false
    /// A read the pipeline asked for while `held` was full: made once it is handled.
    private var readDeferred = false
    /// The most parts held before the socket is read no further: a client pipelining without end meets
    /// backpressure here, as Hummingbird's channel gives it.
    static let maxHeldParts = 256

    init(routes: ServerRoutes, lookups: EventLoopLookups, token: BearerToken?, logger: Logger) {
        self.routes = routes
        self.lookups = lookups
        self.token = token
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        redis = lookups.redis(on: context.eventLoop)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        if case .answering = state {
            held.append(part)
        } else {
            handle(part, context: context)
        }
    }

    func read(context: ChannelHandlerContext) {
        if held.count >= Self.maxHeldParts {
            readDeferred = true
        } else {
            context.read()
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        closed = true
        held.removeAll()
        context.fireChannelInactive()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data), forwarded > 0 { forwarded -= 1 }
        context.write(data, promise: promise)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent {
            switch state {
            case .answering, .collecting:
                quiescing = true
                return
            case .idle, .forwarding:
                break
            }
        }
        context.fireUserInboundEventTriggered(event)
    }

    /// Handles one part; returns whether it was passed on to Hummingbird.
    @discardableResult
    private func handle(_ part: HTTPRequestPart, context: ChannelHandlerContext) -> Bool {
        guard !closed else { return false }
        switch (state, part) {
        case (.idle, .head(let head)):
            if forwarded == 0, let length = takes(head) {
                state = .collecting(
                    head: head, body: context.channel.allocator.buffer(capacity: length), start: NIODeadline.now().uptimeNanoseconds)
            } else {
                forwarded += 1
                state = .forwarding
                context.fireChannelRead(wrapInboundOut(part))
                return true
            }
        case (.collecting(let head, var body, let start), .body(var chunk)):
            state = .answering  // drops the state's reference, so that appending does not copy the body
            body.writeBuffer(&chunk)
            state = .collecting(head: head, body: body, start: start)
        case (.collecting(let head, let body, let start), .end):
            state = .answering
            answer(head, body: body, start: start)
        case (.forwarding, .end):
            state = .idle
            context.fireChannelRead(wrapInboundOut(part))
            return true
        default:
            context.fireChannelRead(wrapInboundOut(part))
            return true
        }
        return false
    }

    /// The body length of a lookup this handler answers, or nil to pass the request on.
    private func takes(_ head: HTTPRequest) -> Int? {
        guard head.method == .post, head.path == Self.lookupRoute || head.path == Self.predictRoute,
              head.headerFields[.transferEncoding] == nil,
              head.headerFields[.expect] == nil, let text = head.headerFields[.contentLength], let length = Int(text),
              length >= 0, length <= routes.configuration.maxBody
        else { return nil }
        return length
    }

    private func answer(_ head: HTTPRequest, body: ByteBuffer, start: UInt64) {
        let close = head.headerFields[.connection]?.lowercased() == "close"
        let route = head.path ?? Self.lookupRoute
        if let token, !token.admits(head.headerFields[.authorization]) {
            fail(BearerToken.refusal, route: route, start: start, close: close)
            return
        }
        guard let redis else { return }
        let requestID = head.headerFields[ServerRoutes.requestIDHeader]
        do {
            let json = try body.withUnsafeReadableBytes { bytes throws(ServerError) in try RequestBodies.parse(bytes) }
            let snapshot = routes.snapshots.current
            if route == Self.predictRoute {
                let request = try PredictRequest(json)
                let version = try RequestBodies.version(of: request, snapshot: snapshot)
                guard let loaded = routes.models.model(name: request.model, version: version),
                      let verdict = snapshot.verdict(loaded)
                else {
                    handOver(head, body: body)
                    return
                }
                if case .refused(let refusal) = verdict { throw refusal }
                let query = try snapshot.query(.references(loaded.references))
                let entities = try EntityRows.frame(request.entities, joinKeys: query.joinKeys, maxEntities: routes.configuration.maxEntities)
                guard entities.rowCount <= Self.maxPredictedRows else {
                    handOver(head, body: body)
                    return
                }
                let at = request.at ?? ServerRoutes.nowMicros()
                redis.lookup(query, entities: entities, at: at) { [self] result in
                    do {
                        let bytes = try routes.prediction(
                            request, model: loaded, features: try result.get(), at: at, requestID: requestID)
                        respond(.ok, bytes, route: route, start: start, close: close)
                    } catch {
                        fail(error, route: route, start: start, close: close)
                    }
                }
            } else {
                let lookup = try RequestBodies.lookup(json, snapshot: snapshot, maxEntities: routes.configuration.maxEntities)
                let at = lookup.request.at ?? ServerRoutes.nowMicros()
                redis.lookup(lookup.query, entities: lookup.entities, at: at) { [self] result in
                    switch result {
                    case .success(let features):
                        respond(.ok, routes.answer(lookup, result: features, at: at, requestID: requestID), route: route, start: start, close: close)
                    case .failure(let error):
                        fail(error, route: route, start: start, close: close)
                    }
                }
            }
        } catch {
            fail(error, route: route, start: start, close: close)
        }
    }

    /// Passes a request whose body was read here on to Hummingbird, whole, as if it had never stopped here.
    private func handOver(_ head: HTTPRequest, body: ByteBuffer) {
        guard let context else { return }
        forwarded += 1
        context.fireChannelRead(wrapInboundOut(.head(head)))
        if body.readableBytes > 0 { context.fireChannelRead(wrapInboundOut(.body(body))) }
        context.fireChannelRead(wrapInboundOut(.end(nil)))
        context.fireChannelReadComplete()
        finished(context)
    }

    private func fail(_ error: any Error, route: String, start: UInt64, close: Bool) {
        let failure = ServerError(translating: error)
        if failure.status.code >= 500 { logger.warning("POST \(route): \(failure)") }
        respond(
            failure.status, ServerError.body(code: failure.code, detail: failure.detail), route: route, start: start,
            close: close, challenge: failure.code == .unauthorized)
    }

    /// Writes an answer, counts it, then handles what was read meanwhile.
    private func respond(
        _ status: HTTPResponse.Status, _ bytes: [UInt8], route: String, start: UInt64, close: Bool, challenge: Bool = false
    ) {
        guard let context else { return }
        var fields = HTTPFields()
        fields[.contentType] = "application/json"
        fields[.contentLength] = String(bytes.count)
        if challenge { fields[.wwwAuthenticate] = "Bearer" }
        if close { fields[.connection] = "close" }
        var buffer = context.channel.allocator.buffer(capacity: bytes.count)
        buffer.writeBytes(bytes)
        context.write(wrapOutboundOut(.head(HTTPResponse(status: status, headerFields: fields))), promise: nil)
        context.write(wrapOutboundOut(.body(buffer)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        let elapsed = NIODeadline.now().uptimeNanoseconds &- start
        routes.metrics.requestFinished(route: route, status: Int(status.code), nanoseconds: Int64(clamping: elapsed))
        if close {
            state = .idle
            closed = true
            held.removeAll()
            context.close(promise: nil)
            return
        }
        finished(context)
    }

    /// Ends the request answered or handed over here, then handles what was read meanwhile.
    private func finished(_ context: ChannelHandlerContext) {
        state = .idle
        let parts = held
        held.removeAll()
        var passedOn = false
        defer {
            // Hummingbird's channel takes what was read when a read completes: complete the replayed read.
            if passedOn { context.fireChannelReadComplete() }
        }
        for (index, part) in parts.enumerated() {
            if case .answering = state {
                held.append(contentsOf: parts[index...])
                return
            }
            passedOn = handle(part, context: context) || passedOn
        }
        if quiescing, case .idle = state {
            quiescing = false
            context.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        }
        if readDeferred, held.count < Self.maxHeldParts {
            readDeferred = false
            context.read()
        }
    }
}

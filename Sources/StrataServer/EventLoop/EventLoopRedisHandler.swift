import NIOCore

/// The pipeline end of an `EventLoopRedis` connection: hands the bytes Redis sends, and the closing of
/// the connection, to its owner on the event loop.
final class EventLoopRedisHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let owner: EventLoopRedis

    init(owner: EventLoopRedis) {
        self.owner = owner
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        buffer.withUnsafeReadableBytes { owner.received($0) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        owner.closed(context.channel)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}

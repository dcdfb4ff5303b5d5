import StrataColumnar
import StrataRedis

extension Materializer {
    /// Materialises an aggregation view: rebuilds, from the source, the tiles of every entity with an
    /// event in `[start, end]` (every entity when `start` is nil), and writes them with the newer-wins
    /// rule on the end they were built up to (docs/aggregations.md, "Online").
    func materializeTiles<Redis: RedisClient>(
        _ view: OnlineView, start: Int64?, end: Int64, writer: OnlineWriter<Redis>, progress: Progress
    ) throws -> ViewReport {
        let builder = try TileBuilder(view: view)
        let clock = ContinuousClock()
        let began = clock.now
        var written = 0
        let queue = overlapsWrites ? WriteQueue(write: writer.write) : nil
        let entities: Int
        do {
            entities = try builder.build(
                connection: registry.connection, end: end, entities: start.map { .touched(since: $0) } ?? .all,
                now: OnlineClock.nowMicros(), batchRows: batchRows,
                submit: { batch in
                    if let queue { try queue.submit(batch) } else { written += try writer.write(batch) }
                },
                progress: { progress(view.view.name, $0, Self.seconds(clock.now - began)) })
        } catch {
            _ = try? queue?.finish()
            throw error
        }
        if let queue { written += try queue.finish() }
        return ViewReport(
            view: view.view.name, start: start, end: end, entities: entities, written: written,
            seconds: Self.seconds(clock.now - began), redisLoss: nil, witnessed: true)
    }
}

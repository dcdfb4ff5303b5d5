import StrataRedis

extension OnlineStore {
    /// Deletes every key of a view (SCAN by the view's key pattern, then UNLINK), for `OnlineCleanup`
    /// after `apply` removed the view, turned it offline or changed its layout. Returns the number of keys deleted.
    /// - Complexity: one pass over Redis's keyspace, in steps of 1,000 keys.
    @discardableResult
    public static func removeKeys(project: String, view: String, redis: RedisConnection) throws -> Int {
        let pattern = OnlineLayout.keyPattern(project: project, view: view)
        var cursor = "0"
        var removed = 0
        repeat {
            let reply = try redis.command(["SCAN", cursor, "MATCH", pattern, "COUNT", "1000"])
            guard let parts = reply.array, parts.count == 2, let next = parts[0].string, let keys = parts[1].array else {
                throw RedisError(code: .protocolError, message: "Redis at \(redis.url.redacted) answered SCAN with \(reply)")
            }
            let names = keys.compactMap(\.bytes)
            if !names.isEmpty {
                removed += Int(try redis.command([Array("UNLINK".utf8)] + names).integer ?? 0)
            }
            cursor = next
        } while cursor != "0"
        return removed
    }
}

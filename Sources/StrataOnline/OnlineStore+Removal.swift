import StrataRedis

extension OnlineStore {
    /// Deletes every key of a view (SCAN by the view's key pattern on every server that holds keys, then
    /// UNLINK), for `OnlineCleanup` after `apply` removed the view, turned it offline or changed its layout.
    /// Returns the number of keys deleted.
    /// - Complexity: one pass over Redis's keyspace, in steps of 1,000 keys.
    @discardableResult
    public static func removeKeys(project: String, view: String, redis: some RedisClient) throws -> Int {
        var removed = 0
        try redis.scan(matching: OnlineLayout.keyPattern(project: project, view: view)) { names in
            if redis.isCluster {
                // Keys of different slots cannot share a command on a cluster: one UNLINK each, pipelined.
                for reply in try redis.pipeline(names.map { [Array("UNLINK".utf8), $0] }) {
                    guard let count = reply.integer else {
                        throw RedisError(code: .serverError, message: "Redis at \(redis.redactedURL) refused UNLINK: \(reply)")
                    }
                    removed += Int(count)
                }
            } else {
                removed += Int(try redis.command([Array("UNLINK".utf8)] + names).integer ?? 0)
            }
        }
        return removed
    }
}

import StrataCore
import StrataRedis

extension OnlineStore {
    /// Deletes every key of a view (SCAN by the view's key pattern, then UNLINK), e.g. after `apply`
    /// removed the view or turned `online` off. Returns the number of keys deleted.
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

    /// The online views of `old` whose keys must go when the registry moves to `new`: views removed or
    /// turned offline, and views whose features (names, types, order) or entity keys changed, because
    /// their stored records no longer match the view.
    public static func viewsToClear(from old: Repository, to new: Repository) -> [String] {
        func layout(_ view: FeatureView, _ repository: Repository) -> [String] {
            view.features.map { "\($0.name):\($0.type.rawValue)" }
                + view.entities.map { name in
                    repository.entity(named: name).map { "\($0.joinKey):\($0.type.rawValue)" } ?? name
                }
        }
        return old.featureViews.filter { before in
            guard before.online else { return false }
            guard let after = new.featureView(named: before.name), after.online else { return true }
            return layout(before, old) != layout(after, new)
        }.map(\.name)
    }
}

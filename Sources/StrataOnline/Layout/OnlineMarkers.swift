import StrataColumnar
import StrataRedis
import StrataRegistry

/// Redis as the witness of what it holds (docs/online-layout.md, "Markers"): per project one hash,
/// `m:{<project>}`, whose field `<view>` holds `<watermark µs>:<run token>`, the watermark and run that
/// the registry recorded for the view when Redis last held everything up to it. A materialisation
/// writes a run field `<view>|run` = its token before its first write and sets the markers only while
/// every run field still holds the token, so a flush during the run leaves no marker behind. A view
/// whose watermark Redis holds no matching marker for has lost values, and is re-materialised from the
/// beginning.
///
/// On a Redis Cluster the hash `m:{<project>}` lives in one slot, so it witnesses only the master that serves
/// that slot. So that losing any master's values shows (a flush of one master, a master restarted empty, a
/// failover to a replica that had not received the last writes), every slot that can hold values carries a
/// copy of the hash, `m:<project>:{<bucket>}` (the first bucket whose hash tag falls in the slot), written in
/// the same steps; a marker counts only when every copy holds it. A copy lives and moves with its slot's
/// values (a resharding moves both), and is written after them on the same master.
public enum OnlineMarkers {
    /// What Redis's marker says about a view that has a watermark.
    public struct Finding: Sendable, Hashable, CustomStringConvertible {
        /// The view.
        public var view: String
        /// The registry's watermark for the view.
        public var watermark: Watermark
        /// Redis's marker for the view, nil when it has none.
        public var marker: String?

        /// Whether Redis's marker witnesses the watermark.
        public var isWitnessed: Bool { OnlineMarkers.value(watermark).map { $0 == marker } ?? false }

        /// What is wrong, for messages; empty when the marker witnesses the watermark.
        public var description: String {
            let claimed = "the registry's watermark \(UTCTimestamp.format(watermark.micros))"
            guard watermark.runToken != nil else {
                return "the watermark of feature view \(view) was set before Redis kept markers, so Redis cannot witness that it holds every value up to \(claimed)"
            }
            guard let marker else {
                return "Redis holds no marker for feature view \(view): it lost the values up to \(claimed) (a restart without persistence, FLUSHALL/FLUSHDB, a cluster master that lost its data, or another Redis)"
            }
            if isWitnessed { return "" }
            let said = Int64(marker.prefix { $0 != ":" }).map(UTCTimestamp.format) ?? "'\(marker)'"
            return "Redis's marker for feature view \(view) says \(said) from another run than \(claimed): Redis does not hold what the registry records (restored from an older copy, or a run that failed between the two stores)"
        }
    }

    /// The project's marker hash; the hash tag keeps it in one slot of a Redis Cluster.
    public static func key(project: String) -> String { "m:{\(project)}" }

    /// The marker of `watermark`, nil for a watermark set before markers existed.
    public static func value(_ watermark: Watermark) -> String? {
        watermark.runToken.map { "\(watermark.micros):\($0)" }
    }

    /// A new run token: 32 random hexadecimal digits.
    static func newToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<4).map { _ in
            let word = String(generator.next() as UInt32, radix: 16)
            return String(repeating: "0", count: 8 - word.count) + word
        }.joined()
    }

    /// The keys holding the project's markers: `m:{<project>}`, and on a cluster a copy per slot that holds values.
    static func keys(project: String, redis: some RedisClient) -> [String] {
        let main = key(project: project)
        guard redis.isCluster else { return [main] }
        return [main] + slotCopyTags.map { "m:\(project):\($0)" }
    }

    /// Per slot that some bucket's hash tag falls in (13,152 of the 16,384), the first such tag, `{xxxx}`.
    static let slotCopyTags: [String] = {
        var covered = [Bool](repeating: false, count: RedisClusterSlot.count)
        var tags: [String] = []
        for bucket in 0..<OnlineLayout.bucketCount {
            withUnsafeBytes(of: OnlineLayout.hashTag(bucket: bucket)) { bytes in
                let tag = UnsafeRawBufferPointer(rebasing: bytes[..<OnlineLayout.hashTagSize])
                let slot = RedisClusterSlot.slot(ofKey: tag)
                if !covered[slot] {
                    covered[slot] = true
                    tags.append(String(decoding: tag, as: UTF8.self))
                }
            }
        }
        return tags
    }()

    /// The marker findings of `views` that have a watermark in the registry.
    public static func check(project: String, views: [String], registry: Registry, redis: some RedisClient) throws -> [Finding] {
        let marks = try registry.watermarkStates(project: project)
        let markers = try read(project: project, redis: redis)
        return views.compactMap { view in marks[view].map { Finding(view: view, watermark: $0, marker: markers[view]) } }
    }

    /// Every field of the project's marker hash; on a cluster, the fields that every copy holds with the same value.
    static func read(project: String, redis: some RedisClient) throws -> [String: String] {
        let keys = keys(project: project, redis: redis)
        return try agreed(try redis.pipeline(keys.map { ["HGETALL", $0] }), redis: redis)
    }

    /// Claims `views` for run `token` (their run fields), then reads the markers. In this order, a flush
    /// after the read also removes the run fields, which `finish` then notices.
    static func begin(project: String, views: [String], token: String, redis: some RedisClient) throws -> [String: String] {
        guard !views.isEmpty else { return try read(project: project, redis: redis) }
        let keys = keys(project: project, redis: redis)
        let claim = views.flatMap { [runField($0), token] }
        let replies = try redis.pipeline(keys.map { ["HSET", $0] + claim } + keys.map { ["HGETALL", $0] })
        for case .error(let message) in replies[..<keys.count] {
            throw RedisError(code: .serverError, message: "Redis at \(redis.redactedURL) refused to mark a run: \(message)", underlying: message)
        }
        return try agreed(replies[keys.count...], redis: redis)
    }

    /// Sets the markers of a run (nil: leave the view's marker as it is) and releases its run fields,
    /// only if every run field still holds `token`. Returns false when one does not: then no copy of the hash
    /// whose run fields are gone changed (on a cluster, copies that kept theirs may have taken the new markers,
    /// which the registry, keeping the old token, then disagrees with: the next run rebuilds the views).
    static func finish(project: String, token: String, markers: [(view: String, marker: String?)], redis: some RedisClient) throws -> Bool {
        guard !markers.isEmpty else { return true }
        let views = markers.flatMap { [$0.view, $0.marker ?? ""] }
        let replies = try redis.pipeline(keys(project: project, redis: redis).map { ["FCALL", OnlineFunctions.mark, "1", $0, token] + views })
        var done = true
        for reply in replies {
            guard let set = reply.integer else {
                throw RedisError(code: .serverError, message: "Redis at \(redis.redactedURL) refused to set the markers: \(reply)", underlying: reply.string)
            }
            done = done && set == 1
        }
        return done
    }

    /// Deletes a view's marker and run field, after its keys were deleted.
    static func remove(project: String, view: String, redis: some RedisClient) throws {
        for reply in try redis.pipeline(keys(project: project, redis: redis).map { ["HDEL", $0, view, runField(view)] }) {
            if case .error(let message) = reply {
                throw RedisError(code: .serverError, message: "Redis at \(redis.redactedURL) refused to delete a marker: \(message)", underlying: message)
            }
        }
    }

    /// The fields that every reply (one `HGETALL` per copy of the hash) holds with the same value.
    static func agreed(_ replies: some Collection<RedisReply>, redis: some RedisClient) throws -> [String: String] {
        var result: [String: String]?
        for reply in replies {
            let copy = try fields(reply, redis: redis)
            result = result.map { $0.filter { copy[$0.key] == $0.value } } ?? copy
        }
        return result ?? [:]
    }

    static func runField(_ view: String) -> String { "\(view)|run" }

    static func fields(_ reply: RedisReply, redis: some RedisClient) throws -> [String: String] {
        guard let parts = reply.array, parts.count % 2 == 0 else {
            throw RedisError(code: .protocolError, message: "Redis at \(redis.redactedURL) answered HGETALL with \(reply)")
        }
        var result: [String: String] = [:]
        for i in stride(from: 0, to: parts.count, by: 2) {
            guard let field = parts[i].string, let value = parts[i + 1].string else { continue }
            result[field] = value
        }
        return result
    }
}

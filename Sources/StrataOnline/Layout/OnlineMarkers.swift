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
                return "Redis holds no marker for feature view \(view): it lost the values up to \(claimed) (a restart without persistence, FLUSHALL/FLUSHDB, or another Redis)"
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

    /// The marker findings of `views` that have a watermark in the registry.
    public static func check(project: String, views: [String], registry: Registry, redis: RedisConnection) throws -> [Finding] {
        let marks = try registry.watermarkStates(project: project)
        let markers = try read(project: project, redis: redis)
        return views.compactMap { view in marks[view].map { Finding(view: view, watermark: $0, marker: markers[view]) } }
    }

    /// Every field of the project's marker hash.
    static func read(project: String, redis: RedisConnection) throws -> [String: String] {
        try fields(try redis.command(["HGETALL", key(project: project)]), redis: redis)
    }

    /// Claims `views` for run `token` (their run fields), then reads the markers. In this order, a flush
    /// after the read also removes the run fields, which `finish` then notices.
    static func begin(project: String, views: [String], token: String, redis: RedisConnection) throws -> [String: String] {
        guard !views.isEmpty else { return try read(project: project, redis: redis) }
        let replies = try redis.pipeline([
            ["HSET", key(project: project)] + views.flatMap { [runField($0), token] },
            ["HGETALL", key(project: project)],
        ])
        if case .error(let message) = replies[0] {
            throw RedisError(code: .serverError, message: "Redis at \(redis.url.redacted) refused to mark a run: \(message)", underlying: message)
        }
        return try fields(replies[1], redis: redis)
    }

    /// Sets the markers of a run (nil: leave the view's marker as it is) and releases its run fields,
    /// only if every run field still holds `token`. Returns false, changing nothing, when one does not.
    static func finish(project: String, token: String, markers: [(view: String, marker: String?)], redis: RedisConnection) throws -> Bool {
        guard !markers.isEmpty else { return true }
        let arguments = ["FCALL", OnlineFunctions.mark, "1", key(project: project), token] + markers.flatMap { [$0.view, $0.marker ?? ""] }
        let reply = try redis.command(arguments)
        guard let done = reply.integer else {
            throw RedisError(code: .serverError, message: "Redis at \(redis.url.redacted) refused to set the markers: \(reply)", underlying: reply.string)
        }
        return done == 1
    }

    /// Deletes a view's marker and run field, after its keys were deleted.
    static func remove(project: String, view: String, redis: RedisConnection) throws {
        _ = try redis.command(["HDEL", key(project: project), view, runField(view)])
    }

    static func runField(_ view: String) -> String { "\(view)|run" }

    static func fields(_ reply: RedisReply, redis: RedisConnection) throws -> [String: String] {
        guard let parts = reply.array, parts.count % 2 == 0 else {
            throw RedisError(code: .protocolError, message: "Redis at \(redis.url.redacted) answered HGETALL with \(reply)")
        }
        var result: [String: String] = [:]
        for i in stride(from: 0, to: parts.count, by: 2) {
            guard let field = parts[i].string, let value = parts[i + 1].string else { continue }
            result[field] = value
        }
        return result
    }
}

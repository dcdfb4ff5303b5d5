import Foundation
import StrataColumnar
import StrataRedis
import StrataRegistry

/// Every field of every bucket of the online store's views in one Redis database: (bucket key, entity
/// field) → record. Markers are left out: their run tokens differ from run to run.
struct OnlineContents: Equatable {
    /// One entity's place in the store.
    struct Entry: Hashable, CustomStringConvertible {
        var key: [UInt8]
        var field: [UInt8]

        /// The feature view, from the key `s:<project>:<view>:{<bucket>}`.
        var view: String {
            let parts = String(decoding: key, as: UTF8.self).split(separator: ":")
            return parts.count >= 3 ? String(parts[2]) : ""
        }

        var description: String {
            "\(String(decoding: key, as: UTF8.self)) field \(field.map { String(format: "%02x", $0) }.joined())"
        }
    }

    var records: [Entry: [UInt8]]

    /// Reads the whole store with `SCAN` and `HGETALL`, one pipeline of `HGETALL`s per page of keys.
    static func read(_ redis: RedisConnection) throws -> OnlineContents {
        var records: [Entry: [UInt8]] = [:]
        var cursor = "0"
        repeat {
            let reply = try redis.command(["SCAN", cursor, "MATCH", "s:*", "COUNT", "1000"])
            guard let parts = reply.array, parts.count == 2, let next = parts[0].string, let keys = parts[1].array else {
                throw FaultTestError(description: "SCAN answered \(reply)")
            }
            cursor = next
            let page = keys.compactMap(\.bytes)
            let replies = try redis.pipeline(page.map { [Array("HGETALL".utf8), $0] })
            for (key, reply) in zip(page, replies) {
                guard let entries = reply.array, entries.count % 2 == 0 else {
                    throw FaultTestError(description: "HGETALL of \(String(decoding: key, as: UTF8.self)) is not a hash")
                }
                for i in stride(from: 0, to: entries.count, by: 2) {
                    guard let field = entries[i].bytes, let value = entries[i + 1].bytes else { continue }
                    records[Entry(key: key, field: field)] = value
                }
            }
        } while cursor != "0"
        return OnlineContents(records: records)
    }

    /// How this store differs from `expected`, at most `limit` lines.
    func differences(from expected: OnlineContents, limit: Int = 5) -> [String] {
        var found: [String] = []
        for (entry, record) in expected.records where records[entry] != record {
            found.append(records[entry] == nil ? "missing \(entry)" : "different record at \(entry)")
            if found.count >= limit { return found }
        }
        for entry in records.keys where expected.records[entry] == nil {
            found.append("unexpected \(entry)")
            if found.count >= limit { return found }
        }
        return found
    }

    /// The promise that a watermark is never ahead of what Redis holds: for every view with a watermark,
    /// every entity of the clean run up to that watermark is in this store with that run's record, or with a
    /// newer one (a later clean run's). `clean` maps each window end a run may leave as a watermark to the
    /// contents of a clean run up to it. Returns the broken cases, at most `limit`.
    func watermarkViolations(
        watermarks: [String: Int64], clean: [Int64: OnlineContents], limit: Int = 5
    ) -> [String] {
        var found: [String] = []
        let ends = clean.keys.sorted()
        for (view, watermark) in watermarks.sorted(by: { $0.key < $1.key }) {
            guard let expected = clean[watermark] else {
                found.append("feature view \(view) has the watermark \(UTCTimestamp.format(watermark)), which no run of the test ends at")
                continue
            }
            let newer = ends.filter { $0 > watermark }.compactMap { clean[$0] }
            for (entry, record) in expected.records where entry.view == view {
                let held = records[entry]
                guard held != record, !newer.contains(where: { $0.records[entry] == held && held != nil }) else { continue }
                found.append(
                    "feature view \(view) has the watermark \(UTCTimestamp.format(watermark)) but Redis holds "
                        + (held == nil ? "nothing" : "another record") + " at \(entry)")
                if found.count >= limit { return found }
            }
        }
        return found
    }
}

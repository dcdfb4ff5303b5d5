import Foundation
import StrataColumnar
import StrataCore
import StrataOnline
@testable import StrataServer
import StrataTestSupport
import Testing

@Suite("Served-feature log queue", .enabled(if: TestServices.enabled))
struct ServedFeatureLogTests {
    /// A record of `rows` entity rows, from a real lookup.
    static func record(rows: Int, _ fixture: OnlineFixture) throws -> ServedRecord {
        let features = try fixture.store().onlineFeatures(
            [FeatureReference(view: "user_stats", feature: "clicks")], entities: OnlineFixture.users(Array(1...Int64(rows))))
        return ServedRecord(
            requestID: "r", servedAt: 0, asOf: 0, route: "get-online-features", features: features, model: nil,
            predictions: nil)
    }

    @Test func aFullQueueDropsAndCountsInsteadOfGrowing() throws {
        let fixture = try OnlineFixture()
        let metrics = ServerMetrics()
        let log = ServedFeatureLog(sampleRate: 1, capacity: 10, metrics: metrics)
        for _ in 0..<4 { log.offer(try Self.record(rows: 3, fixture)) }
        let taken = log.take(maxRows: 100, waitingUpTo: 0)
        #expect(taken.map(\.rowCount) == [3, 3, 3])
        let text = String(decoding: metrics.render(), as: UTF8.self)
        #expect(text.contains("strata_served_log_dropped_rows_total 3"))
    }

    @Test func takeRespectsTheBatchBoundAndPutBackKeepsOrder() throws {
        let fixture = try OnlineFixture()
        let log = ServedFeatureLog(sampleRate: 1, capacity: 100, metrics: ServerMetrics())
        for rows in [2, 3, 4] { log.offer(try Self.record(rows: rows, fixture)) }
        let first = log.take(maxRows: 5, waitingUpTo: 0)
        #expect(first.map(\.rowCount) == [2, 3])
        log.putBack(first)
        #expect(log.take(maxRows: 100, waitingUpTo: 0).map(\.rowCount) == [2, 3, 4])
        log.close()
        #expect(log.isDrained)
        log.offer(try Self.record(rows: 1, fixture))
        #expect(log.isDrained)
    }

    /// The writer lingers for a batch to fill: records offered one by one while it waits leave in one
    /// batch once it is full, and closing the log ends the wait with what came.
    @Test func takeLingersUntilTheBatchIsFullOrTheLogCloses() throws {
        let fixture = try OnlineFixture()
        let records = try (0..<3).map { _ in try Self.record(rows: 1, fixture) }
        let log = ServedFeatureLog(sampleRate: 1, capacity: 100, metrics: ServerMetrics())
        let offering = Thread {
            for record in records {
                log.offer(record)
                Thread.sleep(forTimeInterval: 0.05)
            }
        }
        offering.start()
        #expect(log.take(maxRows: 3, waitingUpTo: 600, lingering: 600).map(\.rowCount) == [1, 1, 1])

        log.offer(try Self.record(rows: 2, fixture))
        let closing = Thread {
            Thread.sleep(forTimeInterval: 0.2)
            log.close()
        }
        closing.start()
        #expect(log.take(maxRows: 100, waitingUpTo: 600, lingering: 600).map(\.rowCount) == [2])
        #expect(log.isDrained)
    }

    @Test func sampleRatesZeroAndOneAreExact() {
        let never = ServedFeatureLog(sampleRate: 0, capacity: 1, metrics: ServerMetrics())
        let always = ServedFeatureLog(sampleRate: 1, capacity: 1, metrics: ServerMetrics())
        #expect((0..<1000).allSatisfy { _ in !never.sample() && always.sample() })
    }
}

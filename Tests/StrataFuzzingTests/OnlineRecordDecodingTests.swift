import StrataColumnar
import StrataCore
@testable import StrataFuzzing
@testable import StrataOnline
import Testing

/// `OnlineStore.features(decoding:)`, the lookup's decoder without Redis that the record fuzz target
/// drives: records the writer encodes read back as written.
@Suite struct OnlineRecordDecodingTests {
    static let trips = [
        "f64", "f32", "i64", "i32", "flag", "label", "seen", "note", "g64", "j64",
    ].map { FeatureReference(view: "trips", feature: $0) }

    /// A column of `type` with `rows` random values, about a third of them null.
    static func randomColumn(_ type: ColumnType, rows: Int, _ random: inout SplitMix64) -> Column {
        var builder = ColumnBuilder(type: type, capacity: rows)
        for _ in 0..<rows {
            if Int.random(in: 0..<3, using: &random) == 0 {
                builder.appendNull()
                continue
            }
            switch type {
            case .float64: builder.append(Double.random(in: -1e9...1e9, using: &random))
            case .float32: builder.append(Float.random(in: -1e6...1e6, using: &random))
            case .int64: builder.append(Int64.random(in: .min ... .max, using: &random))
            case .int32: builder.append(Int32.random(in: .min ... .max, using: &random))
            case .bool: builder.append(Bool.random(using: &random))
            case .timestamp: builder.appendTimestamp(Int64.random(in: 0...4_000_000_000_000_000, using: &random))
            case .string:
                let length = Int.random(in: 0...300, using: &random)
                builder.appendString(String((0..<length).map { _ in Character(Unicode.Scalar(UInt8.random(in: 32...126, using: &random))) }))
            }
        }
        return builder.finish()
    }

    @Test(arguments: [1, 2, 3] as [UInt64])
    func recordsTheWriterEncodesDecodeAsWritten(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        let repository = try FuzzFixture.parsed.get()
        let view = try OnlineView(named: "trips", in: repository)
        let rows = 5
        let at: Int64 = 1_767_225_600_000_000
        let features = view.view.features.map { Self.randomColumn(ColumnType($0.type), rows: rows, &random) }
        let event = (0..<rows).map { at - Int64($0) * 1_000_000 }
        let keys = [Column(int64: (0..<rows).map(Int64.init)), Column(string: (0..<rows).map { "rider\($0)" })]
        let batch = EncodedBatch(view: view, keys: keys, event: event, created: nil, features: features, now: at)
        let records: [[UInt8]?] = (0..<rows).map { Array(batch.records.bytes[batch.records.offsets[$0]..<batch.records.offsets[$0 + 1]]) }
            + Array(repeating: nil, count: rows)
        let query = try OnlineQuery(Self.trips + [FeatureReference(view: "profiles", feature: "tier")], in: repository)
        let entities = Frame(names: ["driver_id", "rider"], columns: keys)
        let result = try OnlineStore.features(decoding: records, query: query, entities: entities, at: at)
        for (f, written) in features.enumerated() {
            #expect(result.values[f] == written, "feature \(Self.trips[f])")
            for row in 0..<rows {
                #expect(result.status(feature: f, row: row) == (written.isNull(row) ? .nullValue : .present))
            }
            #expect(result.eventTimestamps(feature: f) == event)
        }
        #expect(result.statuses(feature: Self.trips.count).allSatisfy { $0 == .notFound })
    }

    @Test func recordsOfTheWrongCountAreRefused() throws {
        let repository = try FuzzFixture.parsed.get()
        let query = try OnlineQuery(Self.trips, in: repository)
        let entities = Frame(names: ["driver_id", "rider"], columns: [Column(int64: [1]), Column(string: ["a"])])
        #expect(throws: OnlineError.self) {
            try OnlineStore.features(decoding: [nil, nil], query: query, entities: entities, at: 0)
        }
    }
}

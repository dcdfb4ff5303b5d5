import Foundation
import StrataColumnar
import StrataCore
import StrataOnline

/// Online-store records: bytes as Redis may hold them, decoded by `OnlineStore.features(decoding:)` (the
/// lookup's own decoder) for a query of every `trips` feature and two of the three `profiles` features,
/// then written as Feast's response JSON, as the feature server answers.
///
/// The input is `[control]` then one record per view and entity row (views in query order), each a
/// little-endian u16 length and that many bytes; length 0xFFFF is a missing record, and records past
/// the end of the input are missing. `control & 3` + 1 is the number of rows; with bit 0x80 the
/// harness writes each view's schema tag into bytes 17-18 of its records, so that mutations spend
/// their time past the tag check.
enum OnlineRecordTarget {
    static let references = [
        "trips:f64", "trips:f32", "trips:i64", "trips:i32", "trips:flag", "trips:label", "trips:seen", "trips:note",
        "trips:g64", "trips:j64", "profiles:tier", "profiles:active",
    ].compactMap(FeatureReference.init(parsing:))
    /// The lookup time: 2026-01-01T00:00:00Z.
    static let at: Int64 = 1_767_225_600_000_000

    /// The query and its views in query order, resolved once.
    static let prepared = Result { () throws -> (OnlineQuery, [OnlineView]) in
        let repository = try FuzzFixture.parsed.get()
        return (try OnlineQuery(references, in: repository), try ["trips", "profiles"].map { try OnlineView(named: $0, in: repository) })
    }

    static func run(_ input: UnsafeRawBufferPointer) throws(FuzzFailure) -> FuzzOutcome {
        guard let control = input.first else { return .refused("empty input") }
        let rows = Int(control & 3) + 1
        let query: OnlineQuery
        let views: [OnlineView]
        switch prepared {
        case .success(let resolved): (query, views) = resolved
        case .failure(let error): throw FuzzFailure(.onlineRecord, "the fixture query does not resolve: \(error)")
        }
        var records: [[UInt8]?] = []
        var at = 1
        for index in 0..<views.count * rows {
            guard at + 2 <= input.count else {
                records.append(nil)
                continue
            }
            let length = Int(input[at]) | Int(input[at + 1]) << 8
            at += 2
            guard length != 0xFFFF else {
                records.append(nil)
                continue
            }
            var record = Array(input[at..<min(input.count, at + length)])
            at += record.count
            if control & 0x80 != 0, record.count >= OnlineRecord.headerSize {
                let view = views[index / rows]
                let tag = OnlineLayout.schemaTag(of: view.view.features, entities: view.entities)
                record[17] = UInt8(truncatingIfNeeded: tag)
                record[18] = UInt8(truncatingIfNeeded: tag >> 8)
            }
            records.append(record)
        }
        let entities = Frame(names: ["driver_id", "rider"], columns: [
            Column(int64: (0..<rows).map { Int64($0) }), Column(string: (0..<rows).map { "rider\($0)" }),
        ])
        let expected = expectations(records, views: views, rows: rows)
        let features: OnlineFeatures
        do {
            features = try OnlineStore.features(decoding: records, query: query, entities: entities, at: Self.at)
        } catch let error as OnlineError where error.code == .corruptRecord {
            guard expected.contains(where: { $0.malformed }) else {
                throw FuzzFailure(.onlineRecord, "every record is well formed, yet the lookup says: \(error.message)")
            }
            return .refused(error.message)
        } catch {
            throw FuzzFailure(.onlineRecord, "an error of an unexpected kind, \(type(of: error)): \(error)")
        }
        if let malformed = expected.firstIndex(where: { $0.malformed }) {
            throw FuzzFailure(.onlineRecord, "record \(malformed) is malformed, yet the lookup read it")
        }
        try check(features, rows: rows)
        try compare(features, expected, views: views, rows: rows)
        return .accepted
    }

    /// What a lookup should make of one record, by `RecordReference` and DESIGN.md's rules.
    struct Expectation {
        var status: FeatureStatus = .notFound
        var event: Int64 = 0
        var values: [RecordReference.Value?] = []
        var malformed = false
    }

    /// The expectation of each record (in `records`' order): absent for another tag or an event after
    /// `at`, not found once expired (`at` at or past event + online_expiry), outside max age before
    /// `at - ttl` (whatever its body holds), else its values.
    static func expectations(_ records: [[UInt8]?], views: [OnlineView], rows: Int) -> [Expectation] {
        records.enumerated().map { index, record in
            let online = views[index / rows]
            let view = online.view
            var expectation = Expectation()
            let tag = OnlineLayout.schemaTag(of: view.features, entities: online.entities)
            // A record from after the lookup time was not known then.
            guard let record, let event = RecordReference.event(of: record, tag: tag), event <= at else { return expectation }
            if let expiry = view.onlineExpirySeconds,
               at >= UTCTimestamp.adding(UTCTimestamp.micros(seconds: expiry), to: event) { return expectation }
            expectation.event = event
            if view.ttlSeconds > 0, event < UTCTimestamp.subtracting(UTCTimestamp.micros(seconds: view.ttlSeconds), from: at) {
                expectation.status = .outsideMaxAge
                return expectation
            }
            guard let read = RecordReference.read(record, event: event, types: view.features.map(\.type)) else {
                expectation.malformed = true
                return expectation
            }
            expectation.status = .present
            expectation.values = read.values
            return expectation
        }
    }

    /// Every requested value, status and event time is the reference's.
    static func compare(_ features: OnlineFeatures, _ expected: [Expectation], views: [OnlineView], rows: Int) throws(FuzzFailure) {
        for (f, reference) in references.enumerated() {
            guard let group = views.firstIndex(where: { $0.view.name == reference.view }),
                  let index = views[group].view.features.firstIndex(where: { $0.name == reference.feature })
            else { throw FuzzFailure(.onlineRecord, "the fixture has no feature \(reference)") }
            let times = features.eventTimestamps(feature: f)
            for row in 0..<rows {
                let expectation = expected[group * rows + row]
                var status = expectation.status
                var value: RecordReference.Value?
                if status == .present {
                    value = expectation.values[index]
                    if value == nil { status = .nullValue }
                }
                let found = features.status(feature: f, row: row)
                let foundValue = RecordReference.value(features.values[f], row)
                guard found == status, foundValue == value, times[row] == expectation.event else {
                    throw FuzzFailure(
                        .onlineRecord,
                        "\(reference) row \(row): the lookup gives \(found) \(String(describing: foundValue)) at \(times[row]); "
                            + "the record holds \(status) \(String(describing: value)) at \(expectation.event)")
                }
            }
        }
    }

    /// A value is present exactly when its status says so, and Feast's JSON of the answer is JSON with
    /// one result per join key and feature.
    static func check(_ features: OnlineFeatures, rows: Int) throws(FuzzFailure) {
        guard features.rowCount == rows, features.values.count == references.count else {
            throw FuzzFailure(.onlineRecord, "\(features.values.count) features of \(features.rowCount) rows")
        }
        for (f, column) in features.values.enumerated() {
            guard column.count == rows, column.type == ColumnType(try declaredType(references[f])) else {
                throw FuzzFailure(.onlineRecord, "feature \(references[f]) is a \(column.type) column of \(column.count) rows")
            }
            for row in 0..<rows where (features.status(feature: f, row: row) == .present) == column.isNull(row) {
                throw FuzzFailure(
                    .onlineRecord,
                    "feature \(references[f]) row \(row) is \(features.status(feature: f, row: row)) but null: \(column.isNull(row))")
            }
        }
        let json = features.feastJSON(fullFeatureNames: true)
        let object = try? JSONSerialization.jsonObject(with: Data(json.utf8))
        guard let results = (object as? [String: Any])?["results"] as? [Any], results.count == 2 + references.count else {
            throw FuzzFailure(.onlineRecord, "Feast's JSON of the answer is not JSON with one result per column: \(json)")
        }
    }

    /// The declared type of a fixture feature.
    static func declaredType(_ reference: FeatureReference) throws(FuzzFailure) -> ValueType {
        let repository = try FuzzFixture.repository(for: .onlineRecord)
        guard let feature = repository.featureView(named: reference.view)?.feature(named: reference.feature) else {
            throw FuzzFailure(.onlineRecord, "the fixture has no feature \(reference)")
        }
        return feature.type
    }
}

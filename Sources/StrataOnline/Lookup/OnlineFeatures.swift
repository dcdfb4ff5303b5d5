import StrataColumnar
import StrataCore

/// The answer to an online lookup, column-major as Feast's: per requested feature, a column of values
/// with a status and an event timestamp per entity row.
public struct OnlineFeatures: Sendable {
    /// The features, in the order asked for.
    public let references: [FeatureReference]
    /// The join-key names, then the join-key columns of the request.
    public let joinKeys: [String]
    /// The request's join-key columns, in `joinKeys` order.
    public let entities: [Column]
    /// Per feature, its values (null unless the status is `present`).
    public let values: [Column]
    /// Feature-major statuses: feature `f`, row `r` is at `f * rowCount + r`.
    let statusCodes: [FeatureStatus]
    /// Per view group, the event timestamp (µs) of each row's record; 0 when not found.
    let groupTimestamps: [[Int64]]
    let featureGroup: [Int]

    /// The number of entity rows.
    public let rowCount: Int

    /// The status of feature `feature` (its position in `references`) for row `row`.
    public func status(feature: Int, row: Int) -> FeatureStatus {
        statusCodes[feature * rowCount + row]
    }

    /// The statuses of feature `feature` for every row.
    public func statuses(feature: Int) -> ArraySlice<FeatureStatus> {
        statusCodes[feature * rowCount..<(feature + 1) * rowCount]
    }

    /// The event timestamps (µs since the Unix epoch; 0 when not found) of feature `feature` for every row.
    public func eventTimestamps(feature: Int) -> [Int64] {
        groupTimestamps[featureGroup[feature]]
    }

    /// Feast's `get-online-features` response JSON: `metadata.feature_names` (join keys first, then the
    /// features, as `feature` or `view__feature`), and one `results` entry per name with `values`,
    /// `statuses` and `event_timestamps` over the entity rows.
    public func feastJSON(fullFeatureNames: Bool = false) -> String {
        var out: [UInt8] = []
        appendFeastJSON(fullFeatureNames: fullFeatureNames, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends `feastJSON`'s bytes to `out`, for callers that send them without making a string.
    public func appendFeastJSON(fullFeatureNames: Bool = false, to out: inout [UInt8]) {
        out.reserveCapacity(out.count + 256 + rowCount * (references.count + joinKeys.count) * 48)
        out += Array(#"{"metadata":{"feature_names":["#.utf8)
        let names = joinKeys + references.map { fullFeatureNames ? $0.columnName : $0.feature }
        for (i, name) in names.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            JSONText.appendString(Array(name.utf8)[...], to: &out)
        }
        out += Array(#"]},"results":["#.utf8)
        for (k, column) in entities.enumerated() {
            if k > 0 { out.append(UInt8(ascii: ",")) }
            appendResult(column, status: { _ in .present }, timestamp: { _ in 0 }, to: &out)
        }
        for f in 0..<references.count {
            if f > 0 || !entities.isEmpty { out.append(UInt8(ascii: ",")) }
            let times = groupTimestamps[featureGroup[f]]
            appendResult(values[f], status: { status(feature: f, row: $0) }, timestamp: { times[$0] }, to: &out)
        }
        out += Array("]}".utf8)
    }

    private func appendResult(
        _ column: Column, status: (Int) -> FeatureStatus, timestamp: (Int) -> Int64, to out: inout [UInt8]
    ) {
        out += Array(#"{"values":["#.utf8)
        for row in 0..<rowCount {
            if row > 0 { out.append(UInt8(ascii: ",")) }
            JSONText.appendValue(column, row, to: &out)
        }
        out += Array(#"],"statuses":["#.utf8)
        for row in 0..<rowCount {
            if row > 0 { out.append(UInt8(ascii: ",")) }
            out.append(UInt8(ascii: "\""))
            out += Array(status(row).description.utf8)
            out.append(UInt8(ascii: "\""))
        }
        out += Array(#"],"event_timestamps":["#.utf8)
        for row in 0..<rowCount {
            if row > 0 { out.append(UInt8(ascii: ",")) }
            out.append(UInt8(ascii: "\""))
            UTCTimestamp.append(timestamp(row), to: &out)
            out.append(UInt8(ascii: "\""))
        }
        out += Array("]}".utf8)
    }
}

/// JSON text for values: numbers as they round-trip, timestamps as ISO-8601, and NaN and ±Infinity as
/// the strings `"NaN"`, `"Infinity"` and `"-Infinity"` (protobuf's JSON mapping, which Feast's server
/// answers with), so that a non-finite value read from a source stays distinct from null. A float
/// column's value keeps a fractional part (`2.0`), so that readers keep its declared type.
public enum JSONText {
    /// Appends the value of `column` at `row`.
    public static func appendValue(_ column: Column, _ row: Int, to out: inout [UInt8]) {
        if column.isNull(row) {
            out += Array("null".utf8)
            return
        }
        switch column.storage {
        case .float64(let v): appendDouble(v[row], to: &out)
        case .float32(let v): v[row].isFinite ? out.append(contentsOf: v[row].description.utf8) : appendDouble(Double(v[row]), to: &out)
        case .int64(let v): out.append(contentsOf: String(v[row]).utf8)
        case .int32(let v): out.append(contentsOf: String(v[row]).utf8)
        case .bool(let v): out.append(contentsOf: (v[row] ? "true" : "false").utf8)
        case .timestamp(let v):
            out.append(UInt8(ascii: "\""))
            UTCTimestamp.append(v[row], to: &out)
            out.append(UInt8(ascii: "\""))
        case .string(let bytes, let offsets): appendString(bytes[offsets[row]..<offsets[row + 1]], to: &out)
        }
    }

    /// Appends a double as it round-trips; a non-finite one as protobuf's JSON string for it.
    public static func appendDouble(_ value: Double, to out: inout [UInt8]) {
        if value.isFinite {
            out.append(contentsOf: value.description.utf8)
        } else {
            out.append(contentsOf: (value.isNaN ? #""NaN""# : value > 0 ? #""Infinity""# : #""-Infinity""#).utf8)
        }
    }

    /// Appends a JSON string literal of UTF-8 `text`, escaped.
    public static func appendString(_ text: ArraySlice<UInt8>, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        let hex = Array("0123456789abcdef".utf8)
        for byte in text {
            switch byte {
            case UInt8(ascii: "\""): out += [92, 34]
            case 92: out += [92, 92]
            case 10: out += [92, UInt8(ascii: "n")]
            case 13: out += [92, UInt8(ascii: "r")]
            case 9: out += [92, UInt8(ascii: "t")]
            case 0..<32: out += [92, UInt8(ascii: "u"), 48, 48, hex[Int(byte >> 4)], hex[Int(byte & 15)]]
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}

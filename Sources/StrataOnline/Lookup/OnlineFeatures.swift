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
    /// - Complexity: O(rows × (features + join keys)), with no allocation beyond `out`'s growth
    ///   (and the text of float values).
    public func appendFeastJSON(fullFeatureNames: Bool = false, to out: inout [UInt8]) {
        out.reserveCapacity(out.count + 256 + rowCount * (references.count + joinKeys.count) * 48)
        JSONText.append(#"{"metadata":{"feature_names":["#, to: &out)
        var first = true
        for name in joinKeys {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            JSONText.appendString(name, to: &out)
        }
        for reference in references {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            JSONText.appendString(fullFeatureNames ? reference.columnName : reference.feature, to: &out)
        }
        JSONText.append(#"]},"results":["#, to: &out)
        // Each view's event times are written once and copied for each of its features.
        var times: [UInt8] = []
        var timeEnds = [Int](repeating: 0, count: groupTimestamps.count * rowCount)
        times.reserveCapacity(groupTimestamps.count * rowCount * 22)
        for (group, stamps) in groupTimestamps.enumerated() {
            for row in 0..<rowCount {
                times.append(UInt8(ascii: "\""))
                UTCTimestamp.append(stamps[row], to: &times)
                times.append(UInt8(ascii: "\""))
                timeEnds[group * rowCount + row] = times.count
            }
        }
        for (k, column) in entities.enumerated() {
            if k > 0 { out.append(UInt8(ascii: ",")) }
            appendValues(column, to: &out)
            JSONText.append(#","statuses":["#, to: &out)
            for row in 0..<rowCount {
                if row > 0 { out.append(UInt8(ascii: ",")) }
                JSONText.append(#""PRESENT""#, to: &out)
            }
            JSONText.append(#"],"event_timestamps":["#, to: &out)
            for row in 0..<rowCount {
                if row > 0 { out.append(UInt8(ascii: ",")) }
                JSONText.append(#""1970-01-01T00:00:00Z""#, to: &out)
            }
            JSONText.append("]}", to: &out)
        }
        for f in 0..<references.count {
            if f > 0 || !entities.isEmpty { out.append(UInt8(ascii: ",")) }
            appendValues(values[f], to: &out)
            JSONText.append(#","statuses":["#, to: &out)
            for row in 0..<rowCount {
                if row > 0 { out.append(UInt8(ascii: ",")) }
                JSONText.append(Self.quotedStatus(statusCodes[f * rowCount + row]), to: &out)
            }
            JSONText.append(#"],"event_timestamps":["#, to: &out)
            let group = featureGroup[f]
            times.withUnsafeBufferPointer { times in
                var start = group == 0 ? 0 : timeEnds[group * rowCount - 1]
                for row in 0..<rowCount {
                    if row > 0 { out.append(UInt8(ascii: ",")) }
                    let end = timeEnds[group * rowCount + row]
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: times[start..<end]))
                    start = end
                }
            }
            JSONText.append("]}", to: &out)
        }
        JSONText.append("]}", to: &out)
    }

    /// `{"values":[...]` of one column.
    private func appendValues(_ column: Column, to out: inout [UInt8]) {
        JSONText.append(#"{"values":["#, to: &out)
        for row in 0..<rowCount {
            if row > 0 { out.append(UInt8(ascii: ",")) }
            JSONText.appendValue(column, row, to: &out)
        }
        out.append(UInt8(ascii: "]"))
    }

    /// A status's name in double quotes.
    private static func quotedStatus(_ status: FeatureStatus) -> StaticString {
        switch status {
        case .present: #""PRESENT""#
        case .nullValue: #""NULL_VALUE""#
        case .notFound: #""NOT_FOUND""#
        case .outsideMaxAge: #""OUTSIDE_MAX_AGE""#
        }
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
        case .int64(let v): appendInteger(v[row], to: &out)
        case .int32(let v): appendInteger(Int64(v[row]), to: &out)
        case .bool(let v): out.append(contentsOf: (v[row] ? "true" : "false").utf8)
        case .timestamp(let v):
            out.append(UInt8(ascii: "\""))
            UTCTimestamp.append(v[row], to: &out)
            out.append(UInt8(ascii: "\""))
        case .string(let bytes, let offsets): appendString(bytes[offsets[row]..<offsets[row + 1]], to: &out)
        }
    }

    /// Appends an integer in decimal without making a string.
    public static func appendInteger(_ value: Int64, to out: inout [UInt8]) {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        var magnitude = value.magnitude
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            repeat {
                buffer[23 - count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                count += 1
            } while magnitude > 0
            if value < 0 { out.append(UInt8(ascii: "-")) }
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[(24 - count)...]))
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

    /// Appends literal JSON text.
    @inline(__always)
    public static func append(_ text: StaticString, to out: inout [UInt8]) {
        out.append(contentsOf: UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// Appends a JSON string literal of `text`, escaped.
    public static func appendString(_ text: String, to out: inout [UInt8]) {
        var text = text
        text.withUTF8 { appendString($0, to: &out) }
    }

    /// Appends a JSON string literal of UTF-8 `text`, escaped.
    public static func appendString(_ text: ArraySlice<UInt8>, to out: inout [UInt8]) {
        text.withUnsafeBufferPointer { appendString($0, to: &out) }
    }

    /// Appends a JSON string literal of UTF-8 `text`, escaped.
    public static func appendString(_ text: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        let hex: StaticString = "0123456789abcdef"
        var clean = 0
        while clean < text.count, text[clean] >= 0x20, text[clean] != UInt8(ascii: "\""), text[clean] != 92 { clean += 1 }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: text[0..<clean]))
        for byte in text[clean...] {
            switch byte {
            case UInt8(ascii: "\""): out += [92, 34]
            case 92: out += [92, 92]
            case 10: out += [92, UInt8(ascii: "n")]
            case 13: out += [92, UInt8(ascii: "r")]
            case 9: out += [92, UInt8(ascii: "t")]
            case 0..<32: out += [92, UInt8(ascii: "u"), 48, 48, hex.utf8Start[Int(byte >> 4)], hex.utf8Start[Int(byte & 15)]]
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}

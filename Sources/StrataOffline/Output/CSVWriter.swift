import Foundation
import StrataColumnar

/// Writes frames as CSV (DESIGN.md's training-set format): a header, UTC ISO-8601 timestamps, an
/// empty field for null, floats printed shortest-round-trip, `""` for an empty string. The file is
/// written beside its final name (`PartialFile`) and renamed into place only when complete, so a
/// failure or an interrupt leaves no partial output.
public enum CSVWriter {
    /// Writes `frame` to `path`, atomically.
    public static func write(_ frame: Frame, to path: String) throws {
        try writePartial(frame, for: path).moveIntoPlace()
    }

    /// Writes `frame` completely into a partial file beside `path` and returns it; the caller moves it into
    /// place or removes it. A failure removes it.
    public static func writePartial(_ frame: Frame, for path: String) throws -> PartialFile {
        let partial = try PartialFile(for: path)
        do {
            try write(frame, toNewFile: partial.temporaryPath, naming: path)
            return partial
        } catch {
            partial.remove()
            throw error
        }
    }

    static func write(_ frame: Frame, toNewFile temporary: String, naming path: String) throws {
        guard let file = fopen(temporary, "w") else {
            throw OfflineError(.badOutput, "cannot write \(path): \(String(cString: strerror(errno)))")
        }
        var closed = false
        defer { if !closed { fclose(file) } }
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 20)
        func flush() throws {
            let written = buffer.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
            guard written == buffer.count else {
                throw OfflineError(.badOutput, "cannot write \(path): \(String(cString: strerror(errno)))")
            }
            buffer.removeAll(keepingCapacity: true)
        }
        for (i, name) in frame.names.enumerated() {
            if i > 0 { buffer.append(UInt8(ascii: ",")) }
            appendText(Array(name.utf8)[...], to: &buffer)
        }
        buffer.append(10)
        for row in 0..<frame.rowCount {
            for (c, column) in frame.columns.enumerated() {
                if c > 0 { buffer.append(UInt8(ascii: ",")) }
                appendValue(column, row, to: &buffer)
            }
            buffer.append(10)
            if buffer.count >= 1 << 20 { try flush() }
        }
        try flush()
        closed = true
        guard fclose(file) == 0 else {
            throw OfflineError(.badOutput, "cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// Appends the CSV text of one value.
    public static func appendValue(_ column: Column, _ row: Int, to buffer: inout [UInt8]) {
        if column.isNull(row) { return }
        switch column.storage {
        case .float64(let v): buffer.append(contentsOf: v[row].description.utf8)
        case .float32(let v): buffer.append(contentsOf: v[row].description.utf8)
        case .int64(let v): appendInteger(v[row], to: &buffer)
        case .int32(let v): appendInteger(Int64(v[row]), to: &buffer)
        case .bool(let v): buffer.append(contentsOf: v[row] ? "true".utf8 : "false".utf8)
        case .timestamp(let v): UTCTimestamp.append(v[row], to: &buffer)
        case .string(let bytes, let offsets):
            let slice = bytes[offsets[row]..<offsets[row + 1]]
            if slice.isEmpty {
                buffer.append(contentsOf: [34, 34])
            } else {
                appendText(slice, to: &buffer)
            }
        }
    }

    static func appendInteger(_ value: Int64, to buffer: inout [UInt8]) {
        if value == 0 {
            buffer.append(UInt8(ascii: "0"))
            return
        }
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        var magnitude = value.magnitude
        var count = 0
        withUnsafeMutableBytes(of: &digits) { d in
            while magnitude > 0 {
                d[count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                count += 1
            }
            if value < 0 { buffer.append(UInt8(ascii: "-")) }
            for i in stride(from: count - 1, through: 0, by: -1) { buffer.append(d[i]) }
        }
    }

    static func appendText(_ text: ArraySlice<UInt8>, to buffer: inout [UInt8]) {
        let needsQuotes = text.contains { $0 == 44 || $0 == 34 || $0 == 10 || $0 == 13 }
            || text.first == 32 || text.last == 32
        guard needsQuotes else {
            buffer.append(contentsOf: text)
            return
        }
        buffer.append(34)
        for byte in text {
            if byte == 34 { buffer.append(34) }
            buffer.append(byte)
        }
        buffer.append(34)
    }
}

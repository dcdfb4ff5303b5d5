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
        // Rows are written in blocks, each column's cells of a block rendered in one pass over its
        // storage, so that no cell switches on its column's type.
        var cells = frame.columns.map { _ in RenderedCells() }
        for blockStart in stride(from: 0, to: frame.rowCount, by: Self.blockRows) {
            let block = blockStart..<min(frame.rowCount, blockStart + Self.blockRows)
            for (c, column) in frame.columns.enumerated() { cells[c].render(column, block) }
            for i in block.indices {
                for c in cells.indices {
                    if c > 0 { buffer.append(UInt8(ascii: ",")) }
                    cells[c].append(i - block.lowerBound, to: &buffer)
                }
                buffer.append(10)
            }
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
        var cells = RenderedCells()
        cells.render(column, row..<row + 1)
        cells.append(0, to: &buffer)
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

    /// Rows rendered per block.
    static let blockRows = 4096

    /// The CSV text of one column's cells of a block, back to back.
    struct RenderedCells {
        var bytes: [UInt8] = []
        var ends: [Int] = []

        /// Renders rows `rows` of `column`: nothing for null, floats shortest-round-trip, timestamps
        /// in UTC ISO-8601, `""` for an empty string, text quoted when it needs it.
        mutating func render(_ column: Column, _ rows: Range<Int>) {
            bytes.removeAll(keepingCapacity: true)
            ends.removeAll(keepingCapacity: true)
            let validity = column.validity
            func each(_ body: (Int, inout [UInt8]) -> Void) {
                for row in rows {
                    if validity?[row] ?? true { body(row, &bytes) }
                    ends.append(bytes.count)
                }
            }
            switch column.storage {
            case .float64(let v): each { row, out in out.append(contentsOf: v[row].description.utf8) }
            case .float32(let v): each { row, out in out.append(contentsOf: v[row].description.utf8) }
            case .int64(let v): each { row, out in CSVWriter.appendInteger(v[row], to: &out) }
            case .int32(let v): each { row, out in CSVWriter.appendInteger(Int64(v[row]), to: &out) }
            case .bool(let v): each { row, out in out.append(contentsOf: v[row] ? "true".utf8 : "false".utf8) }
            case .timestamp(let v): each { row, out in UTCTimestamp.append(v[row], to: &out) }
            case .string(let data, let offsets):
                each { row, out in
                    let slice = data[offsets[row]..<offsets[row + 1]]
                    if slice.isEmpty { out.append(contentsOf: [34, 34]) } else { CSVWriter.appendText(slice, to: &out) }
                }
            }
        }

        /// Appends the text of the block's `index`-th cell.
        func append(_ index: Int, to buffer: inout [UInt8]) {
            let start = index == 0 ? 0 : ends[index - 1]
            buffer.append(contentsOf: bytes[start..<ends[index]])
        }
    }
}

import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Reads RFC 4180 CSV as a stream of records: a header line, then records; quoted fields may hold
/// commas, quotes (doubled) and line breaks. A file is read in chunks, so its size does not bound
/// what can be read: memory holds one chunk and the record being read. Every reader of CSV in Strata
/// (spines, push files, drift windows, entity files) goes through this one type.
///
/// A leading UTF-8 byte-order mark (as Excel and Notepad write) is skipped. Blank lines are skipped;
/// an unquoted empty field is null, `""` an empty string.
public final class CSVReader {
    /// The file the records come from, as errors name it.
    public let file: String
    /// The header's column names.
    public private(set) var header: [String] = []

    /// The largest record accepted: a longer one is an error rather than unbounded memory.
    public static let maximumRecordBytes = 64 << 20
    /// Bytes read from a file at a time.
    static let chunkBytes = 1 << 20

    private let path: String?
    private var descriptor: Int32 = -1
    /// Bytes read and not yet consumed: `buffer[start..<end]`.
    private var buffer: [UInt8]
    private var start = 0
    private var end = 0
    private var atEOF = false
    /// The 1-based line at `start`.
    private var line = 1

    /// A reader of the file at `path`, positioned after its header.
    /// - Throws: `OfflineError.badSpine` naming the file when it cannot be read, is empty or its
    ///   header is malformed.
    public init(path: String) throws {
        file = path
        self.path = path
        buffer = []
        try open()
        try readHeader()
    }

    /// A reader of CSV bytes already in memory (a request body, a test's text); `file` names them in errors.
    public init(bytes: [UInt8], file: String) throws {
        self.file = file
        path = nil
        buffer = bytes
        end = bytes.count
        atEOF = true
        try readHeader()
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    /// A new reader of the same file, positioned after the header: for a second pass over a file too
    /// large to keep.
    public func reopened() throws -> CSVReader {
        guard let path else { return try CSVReader(bytes: buffer, file: file) }
        return try CSVReader(path: path)
    }

    /// The index of the header column `name`, if any.
    public func column(_ name: String) -> Int? { header.firstIndex(of: name) }

    /// Reads the next record into `record` (reusing its storage); false at the end of the input.
    /// - Throws: `OfflineError.badSpine` naming `file:line` for a record whose field count differs
    ///   from the header's, an unclosed quote or text after a closing quote.
    public func next(_ record: inout CSVRecord) throws -> Bool {
        while try read(&record) {
            if record.isBlank { continue }
            guard record.count == header.count else {
                throw OfflineError(.badSpine, "\(file):\(record.line): \(record.count) fields; the header has \(header.count)")
            }
            return true
        }
        return false
    }

    private func open() throws {
        guard let path else { return }
        descriptor = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw OfflineError(.badSpine, "cannot read \(path): \(String(cString: strerror(errno)))")
        }
        var status = stat()
        if fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFDIR {
            throw OfflineError(.badSpine, "cannot read \(path): it is a folder (expected a CSV file)")
        }
        buffer = [UInt8](repeating: 0, count: Self.chunkBytes)
    }

    private func readHeader() throws {
        try fill()
        if end - start >= 3, buffer[start] == 0xEF, buffer[start + 1] == 0xBB, buffer[start + 2] == 0xBF { start += 3 }
        var record = CSVRecord()
        repeat {
            guard try read(&record) else { throw OfflineError(.badSpine, "\(file): empty file (expected a header line)") }
        } while record.isBlank
        header = (0..<record.count).map { record.string($0) ?? "" }
    }

    /// Makes more bytes available after `end`; false when the input has none left.
    @discardableResult
    private func fill() throws -> Bool {
        guard !atEOF else { return false }
        if start > 0 {
            buffer.withUnsafeMutableBytes { bytes in
                guard let base = bytes.baseAddress else { return }
                memmove(base, base + start, end - start)
            }
            end -= start
            start = 0
        }
        if end == buffer.count {
            guard buffer.count < Self.maximumRecordBytes + Self.chunkBytes else {
                throw OfflineError(
                    .badSpine, "\(file):\(line): a record longer than \(Self.maximumRecordBytes >> 20) MiB (is a quote left open?)")
            }
            buffer.append(contentsOf: repeatElement(0, count: buffer.count))
        }
        while true {
            let count = buffer.withUnsafeMutableBytes { bytes in
                Glibc.read(descriptor, bytes.baseAddress! + end, bytes.count - end)
            }
            if count > 0 {
                end += count
                return true
            }
            if count == 0 {
                atEOF = true
                return false
            }
            guard errno == EINTR else {
                throw OfflineError(.badSpine, "cannot read \(file): \(String(cString: strerror(errno)))")
            }
        }
    }

    /// Reads one raw record (blank or not); false at the end of the input.
    private func read(_ record: inout CSVRecord) throws -> Bool {
        while true {
            if start == end, !(try fill()) { return false }
            if let consumed = try parse(&record) {
                start += consumed.bytes
                line += consumed.lines
                return true
            }
            // The record runs past the bytes read so far: read more and parse it again from its start.
            if !(try fill()) {
                guard let consumed = try parse(&record, atEnd: true) else { return false }
                start += consumed.bytes
                line += consumed.lines
                return true
            }
        }
    }

    /// Parses the record at `start` into `record`; nil when the buffer ends before the record does
    /// (and `atEnd` is false). Returns the bytes and line breaks consumed.
    private func parse(_ record: inout CSVRecord, atEnd: Bool = false) throws -> (bytes: Int, lines: Int)? {
        record.removeAll(line: line)
        let file = self.file
        let line = self.line
        return try buffer.withUnsafeBytes { all -> (bytes: Int, lines: Int)? in
            let bytes = UnsafeRawBufferPointer(rebasing: all[start..<end])
            let base = bytes.baseAddress!
            let newline = memchr(base, 10, bytes.count).map { $0 - UnsafeMutableRawPointer(mutating: base) }
            guard newline != nil || atEnd else { return nil }
            let lineEnd = newline ?? bytes.count
            // The common line, without quotes: split at commas, no state machine.
            if memchr(base, 34, lineEnd) == nil {
                var contentEnd = lineEnd
                if newline != nil, contentEnd > 0, bytes[contentEnd - 1] == 13 { contentEnd -= 1 }
                var fieldStart = 0
                while true {
                    let rest = UnsafeRawBufferPointer(rebasing: bytes[fieldStart..<contentEnd])
                    let comma = rest.isEmpty ? nil : memchr(rest.baseAddress!, 44, rest.count)
                    let fieldEnd = comma.map { fieldStart + ($0 - UnsafeMutableRawPointer(mutating: rest.baseAddress!)) } ?? contentEnd
                    record.append(UnsafeRawBufferPointer(rebasing: bytes[fieldStart..<fieldEnd]), quoted: false)
                    guard comma != nil else { break }
                    fieldStart = fieldEnd + 1
                }
                return (newline.map { $0 + 1 } ?? bytes.count, newline == nil ? 0 : 1)
            }
            return try Self.parseQuoted(bytes, into: &record, atEnd: atEnd, file: file, line: line)
        }
    }

    /// The byte-by-byte state machine for a record with quotes, which may span lines.
    private static func parseQuoted(
        _ bytes: UnsafeRawBufferPointer, into record: inout CSVRecord, atEnd: Bool, file: String, line: Int
    ) throws -> (bytes: Int, lines: Int)? {
        var field: [UInt8] = []
        var quoted = false
        var inQuotes = false
        var atFieldStart = true
        var lines = 0
        var i = 0
        func endField() {
            field.withUnsafeBytes { record.append($0, quoted: quoted) }
            field.removeAll(keepingCapacity: true)
            quoted = false
            atFieldStart = true
        }
        while i < bytes.count {
            let c = bytes[i]
            if inQuotes {
                if c == 34 {
                    if i + 1 < bytes.count {
                        if bytes[i + 1] == 34 {
                            field.append(34)
                            i += 2
                            continue
                        }
                    } else if !atEnd {
                        return nil
                    }
                    inQuotes = false
                } else {
                    if c == 10 { lines += 1 }
                    field.append(c)
                }
                i += 1
                continue
            }
            switch c {
            case 34 where atFieldStart:
                inQuotes = true
                quoted = true
                atFieldStart = false
            case 44:
                endField()
            case 13 where i + 1 < bytes.count && bytes[i + 1] == 10:
                break
            case 13 where i + 1 == bytes.count && !atEnd:
                return nil
            case 10:
                endField()
                return (i + 1, lines + 1)
            default:
                if quoted {
                    throw OfflineError(.badSpine, "\(file):\(line + lines): unexpected character after a closing quote")
                }
                field.append(c)
                atFieldStart = false
            }
            i += 1
        }
        guard atEnd else { return nil }
        if inQuotes { throw OfflineError(.badSpine, "\(file):\(line): a quoted field is never closed") }
        endField()
        return (bytes.count, lines)
    }
}

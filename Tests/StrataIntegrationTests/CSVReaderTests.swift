import Foundation
import StrataColumnar
import StrataOffline
import StrataTestSupport
import Testing

/// The streaming CSV reader on what spreadsheets, hand edits and large files produce, without a server.
@Suite struct CSVReaderTests {
    func records(_ reader: CSVReader) throws -> [[String?]] {
        var out: [[String?]] = []
        var record = CSVRecord()
        while try reader.next(&record) { out.append((0..<record.count).map { record.string($0) }) }
        return out
    }

    func lines(_ reader: CSVReader) throws -> [Int] {
        var out: [Int] = []
        var record = CSVRecord()
        while try reader.next(&record) { out.append(record.line) }
        return out
    }

    func reader(_ text: String) throws -> CSVReader { try CSVReader(bytes: Array(text.utf8), file: "s.csv") }

    @Test func aByteOrderMarkIsNotPartOfTheFirstColumnName() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("user_id,event_timestamp\n1,2026-01-01\n".utf8)
        let csv = try CSVReader(bytes: bytes, file: "s.csv")
        #expect(csv.header == ["user_id", "event_timestamp"])
        #expect(try records(csv) == [["1", "2026-01-01"]])
        #expect(try lines(try CSVReader(bytes: bytes, file: "s.csv")) == [2])
    }

    @Test func quotesNullsBlankLinesAndLineNumbers() throws {
        let text = "a,b,c\r\n1,\"x, \"\"y\"\"\",\r\n\r\n2,\"two\nlines\",\"\"\n3,plain\"quote,\n4,last,row"
        #expect(try reader(text).header == ["a", "b", "c"])
        #expect(try records(try reader(text)) == [["1", "x, \"y\"", nil], ["2", "two\nlines", ""], ["3", "plain\"quote", nil], ["4", "last", "row"]])
        #expect(try lines(try reader(text)) == [2, 4, 6, 7])
    }

    @Test(arguments: [
        ("a,b\n1,2,3\n", "s.csv:2: 3 fields; the header has 2"),
        ("a,b\n1,\"open\n", "s.csv:2: a quoted field is never closed"),
        ("a,b\n1,\"x\"y\n", "s.csv:2: unexpected character after a closing quote"),
        ("", "s.csv: empty file (expected a header line)"),
        ("\n\n", "s.csv: empty file (expected a header line)"),
    ])
    func malformedInputNamesTheLine(text: String, message: String) {
        #expect {
            let csv = try reader(text)
            _ = try records(csv)
        } throws: { error in
            (error as? OfflineError)?.message == message
        }
    }

    @Test func typedValuesComeStraightFromTheBytes() throws {
        let csv = try reader("n,t\n 42 ,2026-01-31T12:00:00Z\n-9223372036854775808, 2026-01-31 \n9223372036854775808,x\n,\n")
        var record = CSVRecord()
        var values: [(Int64?, Int64?)] = []
        while try csv.next(&record) { values.append((record.int64(0), record.timestamp(1))) }
        #expect(values.map(\.0) == [42, .min, nil, nil])
        #expect(values.map(\.1) == [UTCTimestamp.parse("2026-01-31T12:00:00Z"), UTCTimestamp.parse("2026-01-31"), nil, nil])
    }

    /// A file several read chunks long, with quoted fields and line breaks across chunk boundaries, reads
    /// exactly as the same bytes held in memory, and a second pass reads it again.
    @Test func aFileReadInChunksEqualsTheSameBytesInMemory() throws {
        var random = SeededGenerator(seed: 9)
        var text = "id,note,value\n"
        var expected: [[String?]] = []
        while text.utf8.count < 3 << 20 {
            let id = String(expected.count)
            let note: String? = random.next() % 7 == 0 ? nil : String(repeating: "x\(random.next() % 100), \"q\"\n", count: Int(random.next() % 40))
            let value = random.next() % 5 == 0 ? "" : String(random.next() % 1000)
            text += "\(id),\(note.map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" } ?? ""),\(value)\r\n"
            expected.append([id, note ?? nil, value.isEmpty ? nil : value])
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("strata-csv-\(UUID().uuidString).csv").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let file = try CSVReader(path: path)
        let fromFile = try records(file)
        #expect(fromFile.count == expected.count)
        #expect(fromFile == expected)
        #expect(try records(try file.reopened()) == expected)
        #expect(try lines(try CSVReader(path: path)) == (try lines(try reader(text))))
    }
}

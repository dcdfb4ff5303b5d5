import StrataOffline
import Testing

/// The CSV reader on input spreadsheets and hand edits produce, without a server.
@Suite struct CSVTableTests {
    @Test func aByteOrderMarkIsNotPartOfTheFirstColumnName() throws {
        let table = try CSVTable.parse([0xEF, 0xBB, 0xBF] + Array("user_id,event_timestamp\n1,2026-01-01\n".utf8), file: "s.csv")
        #expect(table.header == ["user_id", "event_timestamp"])
        #expect(table.records == [["1", "2026-01-01"]])
        #expect(table.lines == [2])
    }
}

@testable import StrataServer
import Testing

@Suite("Request JSON parser")
struct JSONParserTests {
    static func parse(_ text: String) throws -> JSONValue {
        var text = text
        return try text.withUTF8 { bytes throws(JSONParser.Failure) in try JSONParser.parse(UnsafeRawBufferPointer(bytes)) }
    }

    @Test func numbersKeepTheirTextSoIntegersStayExactAndFloatsDistinct() throws {
        let value = try Self.parse(#" {"a": [9223372036854775807, -0, 2, 2.0, 1e3, -1.5E-2], "b": "x"} "#)
        guard case .array(let numbers)? = value["a"] else { Issue.record("no array"); return }
        #expect(numbers.map(\.int64) == [Int64.max, 0, 2, nil, nil, nil])
        #expect(numbers.map(\.double) == [9223372036854775807, 0, 2, 2, 1000, -0.015])
        #expect(value["b"]?.string == "x")
    }

    @Test func escapesAndSurrogatePairsDecode() throws {
        let value = try Self.parse(#"["a\"b\\c\/d\n\t", "\u00e9\ud83d\ude00", "\ud800x"]"#)
        guard case .array(let strings) = value else { Issue.record("no array"); return }
        #expect(strings.map(\.string) == ["a\"b\\c/d\n\t", "é😀", "\u{FFFD}x"])
    }

    @Test func theLastOfRepeatedMembersWinsAndNullMeansNotGiven() throws {
        let value = try Self.parse(#"{"k": 1, "k": 2, "n": null}"#)
        #expect(value["k"]?.int64 == 2)
        #expect(value["n"] != nil)
        #expect(value.given("n") == nil)
    }

    @Test(arguments: [
        ("", 0), ("{", 1), (#"{"a"}"#, 4), (#"{"a":1,}"#, 7), ("[1,]", 3), ("01", 1), ("1.", 2), ("-", 1), ("+1", 0),
        ("NaN", 0), ("\"abc", 4), ("\"a\u{01}\"", 2), (#""\x""#, 3), (#""\u12G4""#, 5), ("[1] 2", 4), ("tru", 0),
    ])
    func malformedJSONNamesTheOffset(_ text: String, _ offset: Int) {
        #expect {
            try Self.parse(text)
        } throws: { error in
            (error as? JSONParser.Failure)?.offset == offset
        }
    }

    @Test func nestingIsBounded() throws {
        let deep = String(repeating: "[", count: JSONParser.maxDepth + 1) + String(repeating: "]", count: JSONParser.maxDepth + 1)
        #expect(throws: JSONParser.Failure.self) { try Self.parse(deep) }
        let ok = String(repeating: "[", count: JSONParser.maxDepth) + String(repeating: "]", count: JSONParser.maxDepth)
        #expect(throws: Never.self) { try Self.parse(ok) }
    }
}

import Testing
@testable import StrataColumnar

@Suite struct FrameTests {
    let frame = Frame([
        "id": Column(int64: [1, 2, 3]),
        "name": Column(string: ["a", nil, "c"]),
        "score": Column(float64: [0.5, 1.5, nil]),
    ])

    @Test func namesAndSubscript() {
        #expect(frame.names == ["id", "name", "score"])
        #expect(frame.rowCount == 3)
        #expect(frame.columnCount == 3)
        #expect(frame["name"]?.string(at: 2) == "c")
        #expect(frame["missing"] == nil)
        #expect(frame.index(of: "score") == 2)
    }

    @Test func addingAndSelecting() {
        let wider = frame.adding("flag", Column(bool: [true, false, true]))
        #expect(wider.names == ["id", "name", "score", "flag"])
        let narrow = wider.selecting(["flag", "id"])
        #expect(narrow.names == ["flag", "id"])
        #expect(narrow.columns[1] == Column(int64: [1, 2, 3]))
        #expect(Frame().adding("x", Column(int32: [1, 2])).rowCount == 2)
        #expect(frame.selecting([]).rowCount == 3)
    }

    @Test func takeAndFilter() {
        let taken = frame.take(indices: [2, -1, 0])
        #expect(taken["id"] == Column(int64: [3, nil, 1]))
        #expect(taken["name"] == Column(string: ["c", nil, "a"]))
        let filtered = frame.filter(mask: [true, false, true])
        #expect(filtered["score"] == Column(float64: [0.5, nil]))
        #expect(filtered.rowCount == 2)
    }

    @Test func unequalLengthsTrap() async {
        await #expect(processExitsWith: .failure) {
            _ = Frame(["a": Column(int64: [1, 2]), "b": Column(int64: [1])])
        }
    }
}

import Testing
@testable import StrataColumnar

@Suite struct ColumnBuilderTests {
    @Test func numericTypesWithLateNull() {
        var builder = ColumnBuilder(type: .float64)
        for i in 0..<100 { builder.append(Double(i)) }
        let allValid = builder.finish()
        #expect(allValid.validity == nil)
        builder.appendNull()
        builder.append(1.5)
        let column = builder.finish()
        #expect(column.count == 102)
        #expect(column.nullCount == 1)
        #expect(column.isNull(100) && column.isValid(99) && column.isValid(101))
        #expect(column.float64(at: 101) == 1.5)
        #expect(column.float64(at: 100) == nil)
        #expect(allValid.count == 100, "finish() shares storage; later appends do not change it")
    }

    @Test func everyType() {
        var f32 = ColumnBuilder(type: .float32)
        f32.append(Float(2.5))
        f32.appendNull()
        #expect(f32.finish() == Column(float32: [2.5, nil]))

        var i64 = ColumnBuilder(type: .int64, capacity: 4)
        i64.appendNull()
        i64.append(Int64(-7))
        #expect(i64.finish() == Column(int64: [nil, -7]))

        var i32 = ColumnBuilder(type: .int32)
        i32.append(Int32(3))
        #expect(i32.finish() == Column(int32: [3]))

        var flags = ColumnBuilder(type: .bool)
        flags.append(true)
        flags.appendNull()
        flags.append(false)
        #expect(flags.finish() == Column(bool: [true, nil, false]))

        var times = ColumnBuilder(type: .timestamp)
        times.appendTimestamp(1_700_000_000_000_000)
        times.appendNull()
        let timeColumn = times.finish()
        #expect(timeColumn.type == .timestamp)
        #expect(timeColumn.timestamp(at: 0) == 1_700_000_000_000_000)
        #expect(timeColumn == Column(timestamp: [1_700_000_000_000_000, nil]))
    }

    @Test func strings() {
        var builder = ColumnBuilder(type: .string)
        builder.reserveCapacity(4, stringBytes: 16)
        let raw: [UInt8] = Array("héllo".utf8)
        raw.withUnsafeBytes { builder.appendString(bytes: $0) }
        builder.appendNull()
        builder.appendString("")
        builder.appendString("wörld")
        let column = builder.finish()
        #expect(column.count == 4)
        #expect(column.string(at: 0) == "héllo")
        #expect(column.string(at: 1) == nil)
        #expect(column.string(at: 2) == "")
        #expect(column.string(at: 3) == "wörld")
        #expect(column.stringBytes(at: 3).map(Array.init) == Array("wörld".utf8))
        #expect(column == Column(string: ["héllo", nil, "", "wörld"]))
        guard case .string(let bytes, let offsets) = column.storage else {
            Issue.record("not a string column")
            return
        }
        #expect(bytes.count == raw.count + "wörld".utf8.count)
        #expect(offsets == [0, raw.count, raw.count, raw.count, bytes.count])
    }

    @Test func randomAgainstOptionals() {
        var rng = SplitMix64(seed: 11)
        for _ in 0..<50 {
            let values: [Int64?] = (0..<Int.random(in: 0...300, using: &rng)).map { _ in
                rng.chance(0.2) ? nil : Int64.random(in: -1000...1000, using: &rng)
            }
            var builder = ColumnBuilder(type: .int64)
            for value in values {
                if let value { builder.append(value) } else { builder.appendNull() }
            }
            let column = builder.finish()
            #expect(column == Column(int64: values))
            #expect((0..<values.count).map { column.int64(at: $0) } == values)
            #expect(column.nullCount == values.filter { $0 == nil }.count)
        }
    }

    @Test func columnEqualityIgnoresValuesUnderNulls() {
        let a = Column(float64: [1, 99, 3], validity: Bitmap([true, false, true]))
        let b = Column(float64: [1, nil, 3])
        #expect(a == b)
        #expect(a != Column(float64: [1, 2, 3]))
        #expect(Column(float64: [1, 2], validity: Bitmap([true, true])).validity == nil)
        #expect(Column.nulls(.string, count: 3).nullCount == 3)
        #expect(Column.empty(.int32).count == 0)
        #expect(Column(int64: [1]) != Column(timestamp: [1]))
    }

    @Test func doubleAccessorConvertsEveryNumericType() {
        #expect(Column(float32: [1.5]).double(at: 0) == 1.5)
        #expect(Column(int32: [nil, 4]).double(at: 1) == 4)
        #expect(Column(int32: [nil, 4]).double(at: 0) == nil)
        #expect(Column(bool: [true, false]).double(at: 0) == 1)
        #expect(Column(timestamp: [10]).double(at: 0) == 10)
    }
}

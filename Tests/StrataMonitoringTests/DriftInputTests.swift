import Foundation
import StrataColumnar
import StrataOffline
import Testing
@testable import StrataMonitoring

@Suite struct DriftInputTests {
    @Test func parsesEveryForm() throws {
        #expect(try DriftInput(argument: "saved:eta_v1", role: "reference") == .saved(name: "eta_v1"))
        let window = try DriftInput(argument: "window:2026-01-01T00:00:00Z..2026-01-08", role: "current")
        #expect(window == .window(from: UTCTimestamp.parse("2026-01-01")!, to: UTCTimestamp.parse("2026-01-08")!))
        #expect(window.description == "window:2026-01-01T00:00:00Z..2026-01-08T00:00:00Z")
        #expect(try DriftInput(argument: "  select * from t ", role: "current") == .query("select * from t"))
        #expect(try DriftInput(argument: "WITH x AS (SELECT 1) SELECT * FROM x", role: "current").needsPostgres)
        #expect(try DriftInput(argument: "data/Jan.CSV", role: "reference") == .csv(path: "data/Jan.CSV"))
        #expect(!(try DriftInput(argument: "a.csv", role: "reference").needsPostgres))
    }

    @Test(arguments: [
        ("rides", "is not an input Strata reads"),
        ("saved:", "name the saved training set"),
        ("window:2026-01-08..2026-01-01", "the window is empty"),
        ("window:yesterday..today", "expected FROM..TO with ISO-8601 times"),
        ("served:2026-01-01", "expected FROM..TO"),
    ])
    func rejectsWithTheFormsItTakes(argument: String, fragment: String) {
        #expect {
            try DriftInput(argument: argument, role: "reference")
        } throws: { error in
            "\(error)".contains(fragment) && "\(error)".contains("--reference")
        }
    }

    @Test func trimsQueriesForSubqueries() {
        #expect(DriftInputReader.trimmed("SELECT 1 ;\n ") == "SELECT 1")
    }
}

@Suite struct CSVInferenceTests {
    func reader(_ text: String) throws -> CSVReader { try CSVReader(bytes: Array(text.utf8), file: "t.csv") }

    @Test func infersAsPandasReads() throws {
        let csv = try reader("""
            ints,gappy,floats,flags,flagsWithGap,words,empty
            1,1,1.5,True,true,a,
            -2,,2,false,,b,NA
            3,3,inf,FALSE,False,1,
            """)
        let columns = try CSVColumns.read(csv, columns: csv.header, declared: [:])
        #expect(columns.map(\.type) == [.int64, .float64, .float64, .bool, .bool, .string, .float64])
        #expect(columns[1] == Column(float64: [1, nil, 3]))
        #expect(columns[2].float64Values[2] == .infinity)
        #expect(columns[3] == Column(bool: [true, false, false]))
        #expect(columns[5] == Column(string: ["a", "b", "1"]))
        #expect(columns[6].nullCount == 3)
    }

    @Test func declaredTypesNameTheBadField() throws {
        let csv = try reader("rate\n0.5\nfast\n")
        #expect {
            try CSVColumns.read(csv, columns: ["rate"], declared: ["rate": .float64])
        } throws: { error in
            "\(error)" == "t.csv:3: rate 'fast' is not a float64"
        }
        #expect(try CSVColumns.read(try reader("n\n4\nnull\n"), columns: ["n"], declared: ["n": .int32]) == [Column(int32: [4, nil])])
    }
}

@Suite struct ColumnPromotionTests {
    @Test func windowsMeetAsPandasConcatenates() {
        #expect(ColumnPromotion.commonType(.int32, .int64) == .int64)
        #expect(ColumnPromotion.commonType(.int64, .float64) == .float64)
        #expect(ColumnPromotion.commonType(.bool, .string) == .string)
        #expect(ColumnPromotion.commonType(.timestamp, .float64) == nil)
        #expect(ColumnPromotion.convert(Column(int32: [1, nil, 3]), to: .float64) == Column(float64: [1, nil, 3]))
        #expect(ColumnPromotion.convert(Column(bool: [true, false]), to: .string) == Column(string: ["True", "False"]))
    }

    @Test func timestampsAreNotTestedAndMismatchesAreBadInput() throws {
        let report = try DriftAnalysis.run(
            [DriftColumn(name: "seen", reference: Column(timestamp: [1, 2]), current: Column(timestamp: [3]))],
            reference: .init(source: "a", rows: 2), current: .init(source: "b", rows: 1))
        #expect(report.columns.isEmpty && report.skipped == ["seen"] && !report.datasetDrifted)
        #expect(throws: MonitoringError.self) {
            try DriftAnalysis.run(
                [DriftColumn(name: "x", reference: Column(timestamp: [1]), current: Column(float64: [1]))],
                reference: .init(source: "a", rows: 1), current: .init(source: "b", rows: 1))
        }
    }

    @Test func aNamedMethodMustFitTheKind() {
        let column = DriftColumn(name: "city", reference: Column(string: ["a", "b"]), current: Column(string: ["a"]), method: .ks)
        #expect {
            try DriftAnalysis.run([column], reference: .init(source: "a", rows: 2), current: .init(source: "b", rows: 1))
        } throws: { error in
            "\(error)".contains("method ks does not apply to column city, which is categorical")
        }
    }
}

@Suite struct ExtremeValueTests {
    @Test func integersAtTheEdgesOfInt64AreCategoriesNotTraps() throws {
        let column = DriftColumn(
            name: "edge", reference: Column(int64: [.max, .min, 0, .max]), current: Column(int64: [.max, 1, nil]))
        let report = try DriftAnalysis.run([column], reference: .init(source: "a", rows: 4), current: .init(source: "b", rows: 3))
        #expect(report.columns.first?.type == .categorical && report.columns.first?.status == .tested)
        #expect(report.columns.first?.reference.top?.first?.count == 2)
    }
}

extension ExtremeValueTests {
    @Test func doublesNearTheLimitStillGiveAReportJSONCanHold() throws {
        let huge = Double.greatestFiniteMagnitude
        let column = DriftColumn(name: "wide", reference: Column(float64: [-huge, huge, 0, 1]), current: Column(float64: [huge, huge, 2]))
        let report = try DriftAnalysis.run(
            [column], reference: .init(source: "a", rows: 4), current: .init(source: "b", rows: 3),
            options: .init(collectProfiles: true))
        let drift = try #require(report.columns.first)
        #expect(drift.status == .tested && drift.current.mean == nil && drift.reference.mean != nil)
        _ = try JSONEncoder().encode(report)
        _ = try JSONEncoder().encode(drift.histogram)
        _ = try JSONEncoder().encode(drift.profiles?.reference)
    }
}

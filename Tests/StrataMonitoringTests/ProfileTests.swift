import Foundation
import StrataColumnar
import Testing
@testable import StrataMonitoring

@Suite struct ProfileTests {
    /// Random days of numbers (with nulls and NaN) and categories.
    func days(seed: UInt64) -> [(numbers: Column, words: Column)] {
        var rng = SplitMix64(seed: seed)
        return (0..<7).map { day in
            let n = 500 + day * 137
            let numbers: [Double?] = (0..<n).map { _ in
                rng.chance(0.05) ? nil : (rng.chance(0.01) ? .nan : rng.normal() * 3 + Double(day))
            }
            let words: [String?] = (0..<n).map { _ in rng.chance(0.03) ? nil : ["a", "b", "c", "d\(day)"][Int(rng.next() % 4)] }
            return (Column(float64: numbers), Column(string: words))
        }
    }

    func concatenate(_ columns: [Column]) -> Column {
        var builder = ColumnBuilder(type: columns[0].type)
        for column in columns {
            for row in 0..<column.count {
                switch column.storage {
                case .float64(let v): if column.isValid(row) { builder.append(v[row]) } else { builder.appendNull() }
                default: if let s = column.string(at: row) { builder.appendString(s) } else { builder.appendNull() }
                }
            }
        }
        return builder.finish()
    }

    func numericProfile(_ column: Column) -> ColumnProfile {
        ColumnProfile(sorted: column.sortedFiniteValues(), rows: column.count)
    }

    func categoricalProfile(_ column: Column) -> ColumnProfile {
        let counts = PreparedColumn(reference: column, current: Column(string: [String?]())).counts()
        return ColumnProfile(labels: counts.labels, counts: counts.reference, rows: column.count)
    }

    @Test(arguments: [1, 2, 3] as [UInt64])
    func mergingDaysEqualsTheWeek(seed: UInt64) {
        let days = days(seed: seed)
        let week = (numbers: concatenate(days.map(\.numbers)), words: concatenate(days.map(\.words)))
        let mergedNumbers = days.map { numericProfile($0.numbers) }.reduce(nil as ColumnProfile?) { $0?.merged(with: $1) ?? $1 }!
        let weekNumbers = numericProfile(week.numbers)
        #expect(mergedNumbers.rows == weekNumbers.rows && mergedNumbers.count == weekNumbers.count)
        #expect(mergedNumbers.min == weekNumbers.min && mergedNumbers.max == weekNumbers.max)
        #expect(mergedNumbers.sketch == weekNumbers.sketch)
        #expect(abs(mergedNumbers.mean! - weekNumbers.mean!) <= 1e-12 * abs(weekNumbers.mean!))
        #expect(abs(mergedNumbers.standardDeviation! - weekNumbers.standardDeviation!) <= 1e-12 * weekNumbers.standardDeviation!)
        let mergedWords = days.map { categoricalProfile($0.words) }.reduce(nil as ColumnProfile?) { $0?.merged(with: $1) ?? $1 }!
        #expect(mergedWords == categoricalProfile(week.words))
    }

    @Test func sketchQuantilesStayWithinABin() {
        var rng = SplitMix64(seed: 9)
        let values = (0..<20_000).map { _ in exp(rng.normal()) }.sorted()
        let sketch = ValueSketch(sorted: values)
        #expect(sketch.total == values.count)
        for p in [0.01, 0.1, 0.5, 0.9, 0.99] {
            let exact = values[Int(p * Double(values.count - 1))]
            let estimate = sketch.quantile(p)!
            #expect(abs(estimate - exact) <= exact / 32, "p \(p): \(estimate) vs \(exact)")
        }
        let mixed = (0..<20_000).map { _ in rng.normal() * 3 }.sorted()
        let mixedSketch = ValueSketch(sorted: mixed)
        for p in [0.01, 0.2, 0.5, 0.8, 0.99] {
            let exact = mixed[Int(p * Double(mixed.count - 1))]
            let (lower, upper) = ValueSketch.edges(of: ValueSketch.bin(of: exact))
            let estimate = mixedSketch.quantile(p)!
            #expect(lower <= exact && exact <= upper && lower <= estimate && estimate <= upper, "p \(p): \(estimate) vs \(exact)")
        }
        for bin in sketch.bins + mixedSketch.bins {
            let (lower, upper) = ValueSketch.edges(of: bin)
            #expect(lower < upper && ValueSketch.bin(of: upper <= 0 ? upper : lower) == bin)
        }
    }

    @Test func profilesRoundTripThroughJSON() throws {
        let day = days(seed: 4)[0]
        for profile in [numericProfile(day.numbers), categoricalProfile(day.words)] {
            let data = try JSONEncoder().encode(profile)
            #expect(try JSONDecoder().decode(ColumnProfile.self, from: data) == profile)
        }
        let text = String(decoding: try JSONEncoder().encode(ValueSketch(sorted: [-1.5, 0, 0, 3])), as: UTF8.self)
        #expect(text.hasPrefix("[[-1.53125,-1.5,1],[0,"))
    }
}

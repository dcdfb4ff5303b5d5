import Foundation
import StrataColumnar
@testable import StrataMonitoring

/// The cases `scripts/drift-fixtures.py` wrote from Evidently 0.7.23 and scipy, and the data they
/// describe, rebuilt here value for value.
struct DriftFixtures {
    /// What Evidently found for one column.
    struct Expectation: Sendable {
        var status: String?
        var kind: String?
        var test: String?
        var statistic: Double?
        var threshold: Double?
        var drifted: Bool?
        var ksD: Double?

        init(_ entry: [String: Any]) {
            status = entry["status"] as? String
            kind = entry["kind"] as? String
            test = entry["test"] as? String
            statistic = DriftFixtures.number(entry["statistic"])
            threshold = DriftFixtures.number(entry["threshold"])
            drifted = entry["drifted"] as? Bool
            ksD = DriftFixtures.number(entry["ks_d"])
        }
    }

    struct ColumnCase: Sendable, CustomStringConvertible {
        var name: String
        var type: String
        var kind: ColumnKind
        var method: DriftMethod?
        var reference: Column
        var current: Column
        var expected: Expectation
        var description: String { name }
    }

    struct DatasetCase: Sendable, CustomStringConvertible {
        var name: String
        var columns: [DriftColumn]
        var expected: [String: Expectation]
        var driftedColumns: Int?
        var share: Double?
        var datasetDrifted: Bool?
        var description: String { name }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static var document: [String: Any] {
        guard let url = Bundle.module.url(forResource: "Fixtures/drift-cases", withExtension: "json"),
              let data = try? Data(contentsOf: url),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return [:] }
        return object
    }

    static var columnCases: [ColumnCase] {
        ((document["columns"] as? [[String: Any]]) ?? []).map { entry in
            let type = entry["type"] as? String ?? "float"
            return ColumnCase(
                name: entry["name"] as? String ?? "?", type: type,
                kind: ColumnKind(rawValue: entry["kind"] as? String ?? "") ?? .numerical,
                method: (entry["method"] as? String).flatMap(DriftMethod.init(rawValue:)),
                reference: column(entry["reference"], type: type), current: column(entry["current"], type: type),
                expected: Expectation(entry["expected"] as? [String: Any] ?? [:]))
        }
    }

    static var datasetCases: [DatasetCase] {
        ((document["datasets"] as? [[String: Any]]) ?? []).map { entry in
            let columns = ((entry["columns"] as? [[String: Any]]) ?? []).map { spec in
                let type = spec["type"] as? String ?? "float"
                return DriftColumn(
                    name: spec["name"] as? String ?? "?", reference: column(spec["reference"], type: type),
                    current: column(spec["current"], type: type))
            }
            let expected = entry["expected"] as? [String: Any] ?? [:]
            let perColumn = (expected["columns"] as? [String: [String: Any]] ?? [:]).mapValues(Expectation.init)
            return DatasetCase(
                name: entry["name"] as? String ?? "?", columns: columns, expected: perColumn,
                driftedColumns: expected["drifted_columns"] as? Int, share: number(expected["share"]),
                datasetDrifted: expected["dataset_drifted"] as? Bool)
        }
    }

    /// Every checksum the script recorded, with the one recomputed from the rebuilt values.
    static var checksums: [(name: String, expected: (count: Int, sum: Double), actual: (count: Int, sum: Double))] {
        var result: [(String, (Int, Double), (Int, Double))] = []
        func check(_ name: String, _ entry: [String: Any], side: String) {
            guard let spec = entry[side] as? [String: Any], let sum = entry["\(side)_checksum"] as? [String: Any] else { return }
            let values = generate(spec)
            result.append(("\(name) \(side)", (sum["count"] as? Int ?? -1, sum["weighted_sum"] as? Double ?? .nan), checksum(values)))
        }
        for entry in (document["columns"] as? [[String: Any]]) ?? [] {
            check(entry["name"] as? String ?? "?", entry, side: "reference")
            check(entry["name"] as? String ?? "?", entry, side: "current")
        }
        for dataset in (document["datasets"] as? [[String: Any]]) ?? [] {
            for entry in (dataset["columns"] as? [[String: Any]]) ?? [] {
                check("\(dataset["name"] ?? "?") \(entry["name"] ?? "?")", entry, side: "reference")
                check("\(dataset["name"] ?? "?") \(entry["name"] ?? "?")", entry, side: "current")
            }
        }
        return result
    }

    /// A value the script wrote: a JSON number, or "NaN" / "Infinity" / "-Infinity".
    static func number(_ value: Any?) -> Double? {
        switch value {
        case let x as Double: return x
        case let x as Int: return Double(x)
        case let x as NSNumber: return x.doubleValue
        case let s as String: return Double(s == "Infinity" ? "inf" : s == "-Infinity" ? "-inf" : s)
        default: return nil
        }
    }

    /// A window's values: a list, or a generator spec replayed with SplitMix64.
    static func column(_ values: Any?, type: String) -> Column {
        let list: [Any?]
        if let spec = values as? [String: Any] {
            list = generate(spec)
        } else {
            list = ((values as? [Any]) ?? []).map { $0 is NSNull ? nil : $0 }
        }
        switch type {
        case "int": return Column(int64: list.map { number($0).map { Int64($0) } })
        case "string": return Column(string: list.map { $0 as? String })
        case "bool": return Column(bool: list.map { ($0 as? NSNumber)?.boolValue ?? ($0 as? Bool) })
        default: return Column(float64: list.map { number($0) })
        }
    }

    /// The script's generator: the same draws from the same seed.
    static func generate(_ spec: [String: Any]) -> [Any?] {
        var rng = SplitMix64(seed: UInt64(spec["seed"] as? Int ?? 0))
        let kind = spec["kind"] as? String ?? "normal"
        let count = spec["count"] as? Int ?? 0
        let every = spec["null_every"] as? Int
        return (0..<count).map { i -> Any? in
            let value: Any
            switch kind {
            case "normal":
                var x = (number(spec["loc"]) ?? 0) + (number(spec["scale"]) ?? 1) * rng.normal()
                if let decimals = spec["decimals"] as? Int {
                    let p = pow(10.0, Double(decimals))
                    x = (x * p).rounded(.toNearestOrEven) / p
                }
                value = x
            case "integer":
                value = Double((spec["offset"] as? Int ?? 0) + Int(rng.next() % UInt64(spec["modulo"] as? Int ?? 1)))
            case "category":
                let modulo = UInt64(spec["modulo"] as? Int ?? 1)
                let a = rng.next() % modulo
                let b = rng.next() % modulo
                value = (spec["prefix"] as? String ?? "c") + String(Int(min(a, b)) + (spec["shift"] as? Int ?? 0))
            default:
                value = rng.unit() < (number(spec["p"]) ?? 0.5)
            }
            if let every, (i + 1) % every == 0 { return nil }
            return value
        }
    }

    /// The script's order-dependent digest of generated values.
    static func checksum(_ values: [Any?]) -> (count: Int, sum: Double) {
        var total = 0.0
        var count = 0
        for (position, value) in values.enumerated() {
            guard let value else { continue }
            count += 1
            let weight = Double(position % 7 + 1)
            switch value {
            case let b as Bool: total += weight * (b ? 1 : 0)
            case let s as String: total += weight * Double(s.count)
            case let x as Double: total += weight * x
            default: break
            }
        }
        return (count, total)
    }
}

extension DriftFixtures {
    /// One row of a distribution grid: the arguments and scipy's value.
    struct GridPoint: Sendable, CustomStringConvertible {
        var arguments: [Double]
        var expected: Double?
        var description: String { arguments.map { String($0) }.joined(separator: ", ") }
    }

    /// The rows of the distribution grid `name` (`kolmogorov_sf`, `ks_exact`, `chi2_sf`, `normal_cdf`).
    static func grid(_ name: String) -> [GridPoint] {
        let rows = ((document["distributions"] as? [String: Any])?[name] as? [[Any]]) ?? []
        return rows.map { row in
            GridPoint(arguments: row.dropLast().compactMap { number($0) }, expected: number(row.last))
        }
    }
}

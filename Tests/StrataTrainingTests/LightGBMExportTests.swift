import Foundation
import StrataColumnar
import Testing
@testable import StrataTraining

/// A small, independent evaluator of LightGBM's text model format, as LightGBM's
/// `Tree::NumericalDecision` reads it, so that exported models are checked without Python.
struct LightGBMTextModel {
    struct Tree {
        var splitFeature: [Int] = []
        var threshold: [Double] = []
        var decisionType: [Int] = []
        var leftChild: [Int] = []
        var rightChild: [Int] = []
        var leafValue: [Double] = []
    }

    var header: [String: String] = [:]
    var trees: [Tree] = []

    init(_ text: String) throws {
        var current: [String: String]?
        var blocks: [[String: String]] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            if line.hasPrefix("Tree=") {
                if let current { blocks.append(current) }
                current = [:]
                continue
            }
            if line == "end of trees" { break }
            guard let equals = line.firstIndex(of: "=") else { continue }
            let key = String(line[..<equals])
            let value = String(line[line.index(after: equals)...])
            if current != nil { current![key] = value } else { header[key] = value }
        }
        if let current { blocks.append(current) }
        func numbers<T>(_ block: [String: String], _ key: String, _ parse: (Substring) -> T?) throws -> [T] {
            guard let text = block[key] else { return [] }
            return try text.split(separator: " ").map { try #require(parse($0), "bad \(key) value \($0)") }
        }
        for block in blocks {
            var tree = Tree()
            tree.splitFeature = try numbers(block, "split_feature") { Int($0) }
            tree.threshold = try numbers(block, "threshold") { Double($0) }
            tree.decisionType = try numbers(block, "decision_type") { Int($0) }
            tree.leftChild = try numbers(block, "left_child") { Int($0) }
            tree.rightChild = try numbers(block, "right_child") { Int($0) }
            tree.leafValue = try numbers(block, "leaf_value") { Double($0) }
            #expect(Int(block["num_leaves"] ?? "") == tree.leafValue.count)
            trees.append(tree)
        }
    }

    func predict(_ row: [Double]) -> Double {
        var sum = 0.0
        for tree in trees {
            guard !tree.splitFeature.isEmpty else {
                sum += tree.leafValue[0]
                continue
            }
            var node = 0
            while node >= 0 {
                var x = row[tree.splitFeature[node]]
                let type = tree.decisionType[node]
                let missingType = (type >> 2) & 3
                let defaultLeft = type & 2 != 0
                if x.isNaN && missingType != 2 { x = 0 }
                let goLeft: Bool
                if (missingType == 1 && x == 0) || (missingType == 2 && x.isNaN) {
                    goLeft = defaultLeft
                } else {
                    goLeft = x <= tree.threshold[node]
                }
                node = goLeft ? tree.leftChild[node] : tree.rightChild[node]
            }
            sum += tree.leafValue[~node]
        }
        return header["objective"]?.hasPrefix("binary") == true ? 1 / (1 + exp(-sum)) : sum
    }
}

@Suite struct LightGBMExportTests {
    @Test(arguments: [Objective.binary, .regression])
    func exportedModelPredictsAsStrataDoes(objective: Objective) throws {
        var frame = TestData.classification(rows: 3_000, features: 5, nullShare: 0.08, seed: 31)
        frame = frame.adding("count", Column(int32: (0..<3_000).map { Int32($0 % 7) }))
        let model = try Trainer.train(
            frame: frame, label: "label", algorithm: .gbdt,
            parameters: try TrainingParameters(["num_iterations=25", "objective=\(objective.rawValue)"])).model
        let text = try model.lightGBMText()
        let reference = try LightGBMTextModel(text)
        #expect(reference.header["version"] == "v4")
        #expect(reference.header["feature_names"] == "x0 x1 x2 x3 x4 count")
        #expect(reference.header["max_feature_idx"] == "5")
        #expect(reference.trees.count == 25)
        var rng = SplitMix64(seed: 77)
        for _ in 0..<2_000 {
            let row = (0..<6).map { _ in rng.chance(0.15) ? Double.nan : rng.normal() * 2 }
            #expect(reference.predict(row) == model.predict(row: row))
        }
    }

    @Test func treeSizesMatchTheTreeBlocks() throws {
        let frame = TestData.classification(rows: 1_000, features: 3, seed: 2)
        let text = try Trainer.train(
            frame: frame, label: "label", algorithm: .gbdt, parameters: try TrainingParameters(["num_iterations=3"])
        ).model.lightGBMText()
        let sizesLine = try #require(text.split(separator: "\n").first { $0.hasPrefix("tree_sizes=") })
        let sizes = sizesLine.dropFirst("tree_sizes=".count).split(separator: " ").map { Int($0)! }
        let bytes = Array(text.utf8)
        var offset = try #require(text.range(of: "\nTree=0\n")).lowerBound.utf16Offset(in: text) + 1
        for (i, size) in sizes.enumerated() {
            #expect(String(decoding: bytes[offset..<(offset + 5 + String(i).count)], as: UTF8.self) == "Tree=\(i)")
            offset += size
        }
        #expect(String(decoding: bytes[offset..<(offset + 12)], as: UTF8.self) == "end of trees")
    }

    @Test func linearModelsDoNotExport() throws {
        let frame = TestData.classification(rows: 300, features: 2, seed: 3)
        let model = try Trainer.train(frame: frame, label: "label", algorithm: .logistic).model
        #expect(throws: TrainingError.self) { try model.lightGBMText() }
    }
}

extension Model {
    /// The model in LightGBM's text model format (`version=v4`), which
    /// `lightgbm.Booster(model_file=...)` loads to give the same predictions.
    ///
    /// Every split is numerical with missing type NaN, so a missing value (null or NaN) takes the
    /// split's learned default direction in LightGBM as in Strata. The base score is in the first
    /// tree's leaves, as LightGBM keeps it. Spaces in feature names become underscores.
    /// - Throws: `TrainingError` for a model that is not a tree ensemble.
    public func lightGBMText() throws -> String {
        guard case .trees(let model) = content else {
            throw TrainingError(
                .invalidParameter, "only gbdt models export to LightGBM's format; this model is \(algorithm.rawValue)")
        }
        let names = featureNames.map { name in
            String(name.map { $0.isWhitespace || $0 == "=" ? "_" : $0 })
        }
        let infos = model.featureRanges.map { range in
            range.map { "[\(Model.number($0.lowerBound)):\(Model.number($0.upperBound))]" } ?? "none"
        }
        let blocks = model.trees.enumerated().map { index, tree in "Tree=\(index)\n" + Model.treeText(tree) + "\n\n" }
        var text = "tree\nversion=v4\nnum_class=1\nnum_tree_per_iteration=1\nlabel_index=0\n"
        text += "max_feature_idx=\(featureNames.count - 1)\n"
        text += "objective=\(objective == .binary ? "binary sigmoid:1" : "regression")\n"
        text += "feature_names=\(names.joined(separator: " "))\n"
        text += "feature_infos=\(infos.joined(separator: " "))\n"
        text += "tree_sizes=\(blocks.map { String($0.utf8.count) }.joined(separator: " "))\n\n"
        text += blocks.joined()
        text += "end of trees\n\nfeature_importances:\n"
        var splits = [Int](repeating: 0, count: featureNames.count)
        for tree in model.trees { for f in tree.splitFeature { splits[Int(f)] += 1 } }
        let ranked = splits.indices.filter { splits[$0] > 0 }.sorted { (splits[$0], $1) > (splits[$1], $0) }
        for f in ranked { text += "\(names[f])=\(splits[f])\n" }
        text += "\nparameters:\n[boosting: gbdt]\n[objective: \(objective == .binary ? "binary" : "regression")]\n"
        for (key, value) in parameters.sorted(by: { $0.key < $1.key }) where key != "objective" {
            text += "[\(key): \(value)]\n"
        }
        text += "end of parameters\n\npandas_categorical:null\n"
        return text
    }

    private static func treeText(_ tree: DecisionTree) -> String {
        func join<T>(_ values: [T], _ format: (T) -> String) -> String { values.map(format).joined(separator: " ") }
        var lines = ["num_leaves=\(tree.numLeaves)", "num_cat=0"]
        if tree.numLeaves > 1 {
            lines += [
                "split_feature=" + join(tree.splitFeature) { String($0) },
                "split_gain=" + join(tree.splitGain, number),
                "threshold=" + join(tree.threshold, number),
                // Bit 1: missing values go left; bits 2–3 = 2: missing means NaN.
                "decision_type=" + join(tree.defaultLeft) { $0 ? "10" : "8" },
                "left_child=" + join(tree.leftChild) { String($0) },
                "right_child=" + join(tree.rightChild) { String($0) },
            ]
        }
        lines += [
            "leaf_value=" + join(tree.leafValue, number),
            "leaf_weight=" + join(tree.leafWeight, number),
            "leaf_count=" + join(tree.leafCount) { String($0) },
        ]
        if tree.numLeaves > 1 {
            lines += [
                "internal_value=" + join(tree.internalValue, number),
                "internal_weight=" + join(tree.internalWeight, number),
                "internal_count=" + join(tree.internalCount) { String($0) },
            ]
        }
        lines += ["is_linear=0", "shrinkage=1"]
        return lines.joined(separator: "\n")
    }

    /// The shortest decimal that reads back as the same `Double`.
    static func number(_ x: Double) -> String {
        if x == x.rounded() && abs(x) < 1e15 { return String(Int64(x)) }
        return "\(x)"
    }
}

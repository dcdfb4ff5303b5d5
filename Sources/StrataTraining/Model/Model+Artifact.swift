import Foundation

extension Model: Codable {
    /// The version of the artifact format this code writes and reads.
    public static let artifactFormatVersion = 1

    enum CodingKeys: String, CodingKey {
        case format = "strata_model_format", algorithm, objective, parameters, featureNames = "feature_names"
        case labelName = "label", trees, linear
    }

    /// Decodes a model, rejecting artifact formats other than this code's.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let format = try c.decode(Int.self, forKey: .format)
        guard format == Model.artifactFormatVersion else {
            throw TrainingError(
                .invalidArtifact,
                "model artifact format \(format) is not supported; expected \(Model.artifactFormatVersion)")
        }
        let content: Content
        let featureNames = try c.decode([String].self, forKey: .featureNames)
        if let trees = try c.decodeIfPresent(TreeModel.self, forKey: .trees) {
            content = .trees(trees)
        } else {
            content = .linear(try c.decode(LinearCoefficients.self, forKey: .linear))
        }
        // Prediction walks the trees through unchecked indices: an artifact whose shape does not
        // hold together (edited in the registry, or truncated) is refused here.
        if let defect = Self.defect(of: content, featureCount: featureNames.count) {
            throw TrainingError(.invalidArtifact, "the model artifact is malformed: \(defect)")
        }
        self.init(
            algorithm: try c.decode(Algorithm.self, forKey: .algorithm),
            objective: try c.decode(Objective.self, forKey: .objective),
            parameters: try c.decode([String: String].self, forKey: .parameters),
            featureNames: featureNames,
            labelName: try c.decode(String.self, forKey: .labelName),
            content: content)
    }

    /// What is wrong with the shape of `content` for `featureCount` features, or nil when nothing is.
    static func defect(of content: Content, featureCount: Int) -> String? {
        switch content {
        case .linear(let linear):
            let counts = [linear.coefficients.count, linear.standardization.means.count, linear.standardization.scales.count]
            return counts.allSatisfy({ $0 == featureCount }) ? nil
                : "a linear model of \(featureCount) features has \(counts) coefficients, means and scales"
        case .trees(let model):
            for (index, tree) in model.trees.enumerated() {
                if let defect = defect(of: tree, featureCount: featureCount) { return "tree \(index): \(defect)" }
            }
            return nil
        }
    }

    /// What is wrong with one tree: arrays of unequal lengths, a feature out of range, or a child that
    /// does not point to a later node or an existing leaf (which could loop or read out of bounds).
    private static func defect(of tree: DecisionTree, featureCount: Int) -> String? {
        let nodes = tree.splitFeature.count
        let lengths = [tree.threshold.count, tree.defaultLeft.count, tree.leftChild.count, tree.rightChild.count]
        guard lengths.allSatisfy({ $0 == nodes }), tree.leafValue.count == nodes + 1 else {
            return "\(nodes) splits but \(lengths) thresholds, directions and children and \(tree.leafValue.count) leaves"
        }
        for k in 0..<nodes {
            guard (0..<featureCount).contains(Int(tree.splitFeature[k])) else {
                return "split \(k) reads feature \(tree.splitFeature[k]) of \(featureCount)"
            }
            for child in [tree.leftChild[k], tree.rightChild[k]] {
                let valid = child >= 0 ? Int(child) > k && Int(child) < nodes : Int(~child) <= nodes
                guard valid else { return "split \(k) has child \(child)" }
            }
        }
        return nil
    }

    /// Encodes the model with its artifact format version.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(Model.artifactFormatVersion, forKey: .format)
        try c.encode(algorithm, forKey: .algorithm)
        try c.encode(objective, forKey: .objective)
        try c.encode(parameters, forKey: .parameters)
        try c.encode(featureNames, forKey: .featureNames)
        try c.encode(labelName, forKey: .labelName)
        switch content {
        case .trees(let trees): try c.encode(trees, forKey: .trees)
        case .linear(let linear): try c.encode(linear, forKey: .linear)
        }
    }

    /// The model as JSON bytes with sorted keys: the same model always gives the same bytes, and
    /// `Model(artifact:)` reads them back to an equal model (every `Double` round-trips exactly).
    public func artifact() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        do {
            return try encoder.encode(self)
        } catch {
            preconditionFailure("A model holds only finite numbers and always encodes: \(error)")
        }
    }

    /// Whether every number of the model is finite, as its JSON artifact needs; `Trainer` checks it
    /// before returning a model, so that `artifact()` always encodes.
    var isFinite: Bool { (try? JSONEncoder().encode(self)) != nil }

    /// Reads a model from `artifact()` bytes.
    /// - Throws: `TrainingError` with code `invalidArtifact` when the bytes are not a model.
    public init(artifact: Data) throws {
        do {
            self = try JSONDecoder().decode(Model.self, from: artifact)
        } catch let error as TrainingError {
            throw error
        } catch {
            throw TrainingError(.invalidArtifact, "the model artifact (\(artifact.count) bytes) could not be read", cause: error)
        }
    }
}

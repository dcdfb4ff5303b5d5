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
        if let trees = try c.decodeIfPresent(TreeModel.self, forKey: .trees) {
            content = .trees(trees)
        } else {
            content = .linear(try c.decode(LinearCoefficients.self, forKey: .linear))
        }
        self.init(
            algorithm: try c.decode(Algorithm.self, forKey: .algorithm),
            objective: try c.decode(Objective.self, forKey: .objective),
            parameters: try c.decode([String: String].self, forKey: .parameters),
            featureNames: try c.decode([String].self, forKey: .featureNames),
            labelName: try c.decode(String.self, forKey: .labelName),
            content: content)
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

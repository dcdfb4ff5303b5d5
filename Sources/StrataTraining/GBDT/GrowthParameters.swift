/// The settings that shape one tree, taken from `TrainingParameters`.
struct GrowthParameters: Sendable {
    var numLeaves: Int
    var maxDepth: Int
    var minDataInLeaf: Int
    var minSumHessianInLeaf: Double
    var lambdaL2: Double
    var minGainToSplit: Double
    var learningRate: Double

    init(_ p: TrainingParameters) {
        numLeaves = p.numLeaves
        maxDepth = p.maxDepth
        minDataInLeaf = Swift.max(1, p.minDataInLeaf)
        minSumHessianInLeaf = p.minSumHessianInLeaf
        lambdaL2 = p.resolvedLambdaL2(for: .gbdt)
        minGainToSplit = p.minGainToSplit
        learningRate = p.learningRate
    }

    /// A leaf's contribution to the loss reduction: G² / (H + λ).
    @inline(__always)
    func leafGain(_ gradient: Double, _ hessian: Double) -> Double {
        let denominator = hessian + lambdaL2
        return denominator > 0 ? gradient * gradient / denominator : 0
    }

    /// A leaf's output, shrinkage applied: −G / (H + λ) × learning rate.
    @inline(__always)
    func leafOutput(_ gradient: Double, _ hessian: Double) -> Double {
        let denominator = hessian + lambdaL2
        return denominator > 0 ? -gradient / denominator * learningRate : 0
    }
}

/// Sums of gradients, hessians and rows over the rows of a leaf or one side of a split.
struct GradientSums: Sendable {
    var gradient = 0.0
    var hessian = 0.0
    var count = 0.0

    @inline(__always)
    static func - (a: GradientSums, b: GradientSums) -> GradientSums {
        GradientSums(gradient: a.gradient - b.gradient, hessian: a.hessian - b.hessian, count: a.count - b.count)
    }

}

/// The best split found for a leaf.
struct SplitCandidate: Sendable {
    var feature: Int
    /// Value bins `0...bin` go left.
    var bin: Int
    var defaultLeft: Bool
    var gain: Double
    var left: GradientSums
    var right: GradientSums
}

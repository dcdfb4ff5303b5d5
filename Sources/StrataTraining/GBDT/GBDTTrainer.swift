import StrataColumnar
import Foundation

/// Gradient boosting of trees on binned features: LightGBM's `gbdt` with the `binary` and
/// `regression` objectives.
struct GBDTTrainer {
    let parameters: TrainingParameters
    let objective: Objective

    /// The trees and bin mappers fitted to `train`, stopping early on `validation` when asked.
    func fit(_ train: TrainingData, validation: TrainingData?) throws -> (trees: [DecisionTree], mappers: [BinMapper]) {
        let n = train.rowCount
        guard n > 0 else { throw TrainingError(.insufficientData, "the training set has no rows") }
        try GBDTTrainer.checkLabels(train.labels, objective: objective, name: train.labelName)
        if let validation { try GBDTTrainer.checkLabels(validation.labels, objective: objective, name: validation.labelName) }
        if parameters.earlyStoppingRound > 0 && validation == nil {
            throw TrainingError(
                .invalidParameter,
                "parameter 'early_stopping_round' has value '\(parameters.earlyStoppingRound)'; early stopping needs a validation set (--validation-from or a validation column)")
        }
        let pool = WorkerPool(threads: parameters.numThreads)
        let binned = BinnedFeatures(train, maxBin: parameters.maxBin, pool: pool)
        let validBinned = validation.map { BinnedFeatures($0, mappers: binned.mappers, pool: pool) }
        let growth = GrowthParameters(parameters)
        let learner = TreeLearner(data: binned, parameters: growth, pool: pool)

        let base = GBDTTrainer.baseScore(train.labels, objective)
        var scores = [Double](repeating: base, count: n)
        var validScores = [Double](repeating: base, count: validation?.rowCount ?? 0)
        var gradients = [SIMD2<Float>](repeating: .zero, count: n)
        var rng = SplitMix64(seed: UInt64(bitPattern: Int64(parameters.seed)))
        var featureRng = SplitMix64(seed: UInt64(bitPattern: Int64(parameters.seed)) &+ 0x5eed)
        var trees: [DecisionTree] = []
        var bag: [UInt32]?
        var bestLoss = Double.infinity
        var bestCount = 0
        let baggingFrequency = parameters.resolvedBaggingFrequency
        let featureCount = train.featureNames.count
        let usedFeatures = Swift.max(1, Int((Double(featureCount) * parameters.featureFraction).rounded()))

        for iteration in 0..<parameters.numIterations {
            scores.withUnsafeBufferPointer { s in
                train.labels.withUnsafeBufferPointer { y in
                    gradients.withUnsafeMutableBufferPointer { g in
                        GBDTTrainer.computeGradients(objective, scores: s, labels: y, into: g, pool: pool)
                    }
                }
            }
            if baggingFrequency > 0 && iteration % baggingFrequency == 0 {
                var rows: [UInt32] = []
                rows.reserveCapacity(Int(Double(n) * parameters.baggingFraction * 1.05))
                for i in 0..<n where rng.unit() < parameters.baggingFraction { rows.append(UInt32(i)) }
                bag = rows
            }
            var features = Array(0..<featureCount)
            if usedFeatures < featureCount {
                for k in 0..<usedFeatures { features.swapAt(k, Int.random(in: k..<featureCount, using: &featureRng)) }
                features = Array(features[0..<usedFeatures]).sorted()
            }
            let grown = gradients.withUnsafeBufferPointer { learner.grow(gradients: $0.baseAddress!, bag: bag, features: features) }
            if grown.tree.splitFeature.isEmpty {
                // No leaf can be split any more, as LightGBM stops ("no more leaves that meet the split requirements").
                break
            }
            scores.withUnsafeMutableBufferPointer { s in
                learner.addLeafValues(of: grown.tree, to: s.baseAddress!)
                if let bag, bag.count < n {
                    GBDTTrainer.addOutOfBag(grown, binned, bag: bag, to: s)
                }
            }
            trees.append(grown.tree)
            if let validation, let validBinned {
                validScores.withUnsafeMutableBufferPointer { s in
                    GBDTTrainer.addAll(grown, validBinned, to: s, pool: pool)
                }
                let loss = GBDTTrainer.loss(objective, scores: validScores, labels: validation.labels)
                if loss < bestLoss {
                    bestLoss = loss
                    bestCount = trees.count
                } else if parameters.earlyStoppingRound > 0 && trees.count - bestCount >= parameters.earlyStoppingRound {
                    break
                }
            }
        }
        if parameters.earlyStoppingRound > 0 && validation != nil && bestCount < trees.count {
            trees.removeLast(trees.count - bestCount)
        }
        if trees.isEmpty {
            trees.append(DecisionTree(value: 0, weight: 0, count: n))
        }
        trees[0].addBias(base)
        return (trees, binned.mappers)
    }

    /// - Parameter suggestion: what to do instead, for a label that is not 0 or 1.
    static func checkLabels(
        _ labels: [Double], objective: Objective, name: String,
        suggestion: String = "for a numeric label, train a regression with --param objective=regression"
    ) throws {
        guard objective == .binary else { return }
        if let bad = labels.firstIndex(where: { $0 != 0 && $0 != 1 }) {
            throw TrainingError(
                .invalidLabel,
                "label column '\(name)' has value \(labels[bad]) at row \(bad); the binary objective expects 0 or 1 (\(suggestion))")
        }
    }

    /// LightGBM's `boost_from_average`: the log-odds of the mean label, or the mean label.
    static func baseScore(_ labels: [Double], _ objective: Objective) -> Double {
        let mean = labels.reduce(0, +) / Double(Swift.max(labels.count, 1))
        switch objective {
        case .regression: return mean
        case .binary:
            let p = Swift.min(Swift.max(mean, 1e-15), 1 - 1e-15)
            return Foundation.log(p / (1 - p))
        }
    }

    static func computeGradients(
        _ objective: Objective, scores: UnsafeBufferPointer<Double>, labels: UnsafeBufferPointer<Double>,
        into out: UnsafeMutableBufferPointer<SIMD2<Float>>, pool: WorkerPool
    ) {
        let shared = UncheckedSendable(out)
        pool.forEachChunk(count: scores.count, chunks: pool.workers * 4) { _, range in
            let g = shared.value
            switch objective {
            case .binary:
                for i in range {
                    let p = 1 / (1 + Foundation.exp(-scores[i]))
                    g[i] = SIMD2(Float(p - labels[i]), Float(p * (1 - p)))
                }
            case .regression:
                for i in range { g[i] = SIMD2(Float(scores[i] - labels[i]), 1) }
            }
        }
    }

    /// The mean loss: log-loss for binary, squared error for regression (LightGBM's defaults).
    static func loss(_ objective: Objective, scores: [Double], labels: [Double]) -> Double {
        var total = 0.0
        switch objective {
        case .binary:
            for i in scores.indices {
                let p = Swift.min(Swift.max(1 / (1 + Foundation.exp(-scores[i])), 1e-15), 1 - 1e-15)
                total -= labels[i] == 1 ? Foundation.log(p) : Foundation.log(1 - p)
            }
        case .regression:
            for i in scores.indices { total += (scores[i] - labels[i]) * (scores[i] - labels[i]) }
        }
        return total / Double(Swift.max(scores.count, 1))
    }

    /// The leaf `row` falls in, reading the binned features.
    @inline(__always)
    static func leaf(_ grown: TreeLearner.GrownTree, _ data: BinnedFeatures, bins: UnsafePointer<UInt8>, row: Int) -> Int {
        var node = 0
        let tree = grown.tree
        while true {
            let f = Int(tree.splitFeature[node])
            let bin = Int(bins[f * data.rowCount + row])
            let goLeft = bin == data.mappers[f].missingBin ? tree.defaultLeft[node] : bin <= grown.thresholdBins[node]
            let next = goLeft ? tree.leftChild[node] : tree.rightChild[node]
            if next < 0 { return Int(~next) }
            node = Int(next)
        }
    }

    static func addAll(_ grown: TreeLearner.GrownTree, _ data: BinnedFeatures, to scores: UnsafeMutableBufferPointer<Double>, pool: WorkerPool) {
        let shared = UncheckedSendable(scores)
        data.bins.withUnsafeBufferPointer { b in
            pool.forEachChunk(count: data.rowCount, chunks: pool.workers * 4) { _, range in
                for row in range { shared.value[row] += grown.tree.leafValue[leaf(grown, data, bins: b.baseAddress!, row: row)] }
            }
        }
    }

    static func addOutOfBag(
        _ grown: TreeLearner.GrownTree, _ data: BinnedFeatures, bag: [UInt32], to scores: UnsafeMutableBufferPointer<Double>
    ) {
        data.bins.withUnsafeBufferPointer { b in
            var next = 0
            for row in 0..<data.rowCount {
                if next < bag.count && Int(bag[next]) == row {
                    next += 1
                    continue
                }
                scores[row] += grown.tree.leafValue[leaf(grown, data, bins: b.baseAddress!, row: row)]
            }
        }
    }
}

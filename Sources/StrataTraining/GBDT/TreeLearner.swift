import StrataColumnar
/// Grows one tree leaf by leaf on binned features, as LightGBM's serial tree learner does.
///
/// Rows are kept in one index array partitioned by leaf (each leaf owns a contiguous range). A
/// leaf's histogram of gradient and hessian sums per bin is built for the smaller child of each
/// split only; the larger child's is the parent's minus the smaller's (the subtraction trick).
/// Every parallel step splits its work into pieces that depend on the data only (features, or a
/// fixed number of row chunks added in order), so the trees do not depend on `num_threads`.
final class TreeLearner {
    /// A tree with, for each split, the bin threshold used while training.
    struct GrownTree {
        var tree: DecisionTree
        var thresholdBins: [Int]
    }

    private struct Leaf {
        var begin: Int
        var count: Int
        var sums: GradientSums
        var depth: Int
        var slot: Int?
        var best: SplitCandidate?
    }

    let data: BinnedFeatures
    let parameters: GrowthParameters
    let pool: WorkerPool
    private let n: Int
    private let indices: UnsafeMutablePointer<UInt32>
    private let scratchLeft: UnsafeMutablePointer<UInt32>
    private let scratchRight: UnsafeMutablePointer<UInt32>
    private let ordered: UnsafeMutablePointer<SIMD2<Float>>
    private let histogramSize: Int
    private var slots: [UnsafeMutablePointer<SIMD2<Double>>] = []
    private var partials: [UnsafeMutablePointer<SIMD2<Double>>] = []
    private let stagedSlots: UnsafeMutablePointer<UInt16>
    private let stagedGradients: UnsafeMutablePointer<SIMD2<Double>>
    private var freeSlots: [Int] = []
    private var leaves: [Leaf] = []
    private var activeFeatures: [Int] = []
    /// Ranges of `activeFeatures` whose histograms together fit in the L1 cache.
    private var featureGroups: [Range<Int>] = []
    /// Histogram bytes per feature group.
    static let groupBytes = 32 * 1_024
    /// The rows in the current bag, `rowsInBag` of them at the front of `indices` before growth.
    private var rowsInBag = 0
    private var bagIsEverything = true

    /// Rows per block when building histograms: a block's indices and gradients stay in L2.
    static let blockRows = 16_384

    init(data: BinnedFeatures, parameters: GrowthParameters, pool: WorkerPool) {
        self.data = data
        self.parameters = parameters
        self.pool = pool
        n = data.rowCount
        indices = .allocate(capacity: Swift.max(n, 1))
        scratchLeft = .allocate(capacity: Swift.max(n, 1))
        scratchRight = .allocate(capacity: Swift.max(n, 1))
        ordered = .allocate(capacity: Swift.max(n, 1))
        histogramSize = data.histogramOffsets.last ?? 0
        stagedSlots = .allocate(capacity: TreeLearner.rowChunks * TreeLearner.stagedRows * ((data.featureCount + 7) / 8 * 8))
        stagedGradients = .allocate(capacity: TreeLearner.rowChunks * TreeLearner.stagedRows)
    }

    deinit {
        indices.deallocate()
        scratchLeft.deallocate()
        scratchRight.deallocate()
        ordered.deallocate()
        for slot in slots { slot.deallocate() }
        for partial in partials { partial.deallocate() }
        stagedSlots.deallocate()
        stagedGradients.deallocate()
    }

    /// Grows a tree on `gradients` (gradient, hessian per row) over the rows in `bag` (sorted;
    /// `nil` is every row), splitting only on `features`.
    func grow(gradients: UnsafePointer<SIMD2<Float>>, bag: [UInt32]?, features: [Int]) -> GrownTree {
        activeFeatures = features
        featureGroups = []
        var groupStart = 0
        var groupBins = 0
        for (k, f) in features.enumerated() {
            let bins = data.mappers[f].binCount
            if k > groupStart && (groupBins + bins) * MemoryLayout<SIMD2<Double>>.stride > TreeLearner.groupBytes {
                featureGroups.append(groupStart..<k)
                groupStart = k
                groupBins = 0
            }
            groupBins += bins
        }
        if groupStart < features.count { featureGroups.append(groupStart..<features.count) }
        if let bag {
            bag.withUnsafeBufferPointer { rows in
                if let base = rows.baseAddress { indices.update(from: base, count: rows.count) }
            }
            rowsInBag = bag.count
            bagIsEverything = bag.count == n
        } else {
            let indices = self.indices
            pool.forEachChunk(count: n, chunks: pool.workers) { _, range in
                for i in range { indices[i] = UInt32(truncatingIfNeeded: i) }
            }
            rowsInBag = n
            bagIsEverything = true
        }
        freeSlots = Array(slots.indices.reversed())
        var rootSums = GradientSums(count: Double(rowsInBag))
        for partial in rootSumsByChunk(gradients) {
            rootSums.gradient += partial.x
            rootSums.hessian += partial.y
        }
        var grown = GrownTree(
            tree: DecisionTree(value: 0, weight: rootSums.hessian, count: rowsInBag), thresholdBins: [])
        leaves = [Leaf(begin: 0, count: rowsInBag, sums: rootSums, depth: 0, slot: nil, best: nil)]
        if canSplit(leaves[0]) {
            let slot = takeSlot()
            leaves[0].slot = slot
            buildHistogram(leaf: leaves[0], into: slots[slot], gradients: gradients, wholeData: bagIsEverything)
            leaves[0].best = bestSplit(leaf: leaves[0], histogram: slots[slot])
        }
        while leaves.count < parameters.numLeaves {
            var chosen: Int?
            var chosenGain = -Double.infinity
            for (i, leaf) in leaves.enumerated() {
                if let gain = leaf.best?.gain, gain > chosenGain {
                    chosen = i
                    chosenGain = gain
                }
            }
            guard let leafIndex = chosen, let split = leaves[leafIndex].best else { break }
            splitLeaf(leafIndex, split, &grown, gradients: gradients)
        }
        for leaf in leaves { if let slot = leaf.slot { freeSlots.append(slot) } }
        return grown
    }

    /// Adds each leaf's value to the scores of the in-bag rows it holds (leaves own disjoint rows,
    /// so workers take whole leaves).
    func addLeafValues(of tree: DecisionTree, to scores: UnsafeMutablePointer<Double>) {
        let leaves = self.leaves
        let indices = self.indices
        let workers = pool.workers
        pool.run { worker in
            for i in stride(from: worker, to: leaves.count, by: workers) {
                let value = tree.leafValue[i]
                let leaf = leaves[i]
                for j in leaf.begin..<(leaf.begin + leaf.count) { scores[Int(indices[j])] += value }
            }
        }
    }

    /// Gradient and hessian sums over the bag in 16 fixed chunks, to be added in chunk order.
    private func rootSumsByChunk(_ gradients: UnsafePointer<SIMD2<Float>>) -> [SIMD2<Double>] {
        var partials = [SIMD2<Double>](repeating: .zero, count: 16)
        let indices = self.indices
        partials.withUnsafeMutableBufferPointer { out in
            let shared = UncheckedSendable(out)
            pool.forEachChunk(count: rowsInBag, chunks: 16) { chunk, range in
                var sum = SIMD2<Double>.zero
                for j in range {
                    let gh = gradients[Int(indices[j])]
                    sum += SIMD2(Double(gh.x), Double(gh.y))
                }
                shared.value[chunk] = sum
            }
        }
        return partials
    }

    private func canSplit(_ leaf: Leaf) -> Bool {
        (parameters.maxDepth <= 0 || leaf.depth < parameters.maxDepth)
            && leaf.count >= 2 * parameters.minDataInLeaf
            && leaf.sums.hessian >= 2 * parameters.minSumHessianInLeaf
    }

    private func takeSlot() -> Int {
        if let slot = freeSlots.popLast() { return slot }
        slots.append(.allocate(capacity: histogramSize))
        return slots.count - 1
    }

    private func splitLeaf(_ leafIndex: Int, _ split: SplitCandidate, _ grown: inout GrownTree, gradients: UnsafePointer<SIMD2<Float>>) {
        let parent = leaves[leafIndex]
        let mapper = data.mappers[split.feature]
        let leftCount = partition(parent, split)
        let p = parameters
        grown.tree.split(
            leaf: leafIndex, feature: split.feature, threshold: mapper.threshold(split.bin),
            defaultLeft: split.defaultLeft, gain: split.gain,
            left: (p.leafOutput(split.left.gradient, split.left.hessian), split.left.hessian, leftCount),
            right: (p.leafOutput(split.right.gradient, split.right.hessian), split.right.hessian, parent.count - leftCount))
        grown.thresholdBins.append(split.bin)
        var left = Leaf(begin: parent.begin, count: leftCount, sums: split.left, depth: parent.depth + 1, slot: nil, best: nil)
        var right = Leaf(
            begin: parent.begin + leftCount, count: parent.count - leftCount, sums: split.right,
            depth: parent.depth + 1, slot: nil, best: nil)
        // Splits are exact in counts, so the sums' counts match the partition.
        left.sums.count = Double(left.count)
        right.sums.count = Double(right.count)
        let parentSlot = parent.slot!
        if canSplit(left) || canSplit(right) {
            let smallerIsLeft = left.count <= right.count
            let smallSlot = takeSlot()
            let small = slots[smallSlot]
            let large = slots[parentSlot]
            buildHistogram(leaf: smallerIsLeft ? left : right, into: small, gradients: gradients, wholeData: false)
            subtract(small, from: large)
            if smallerIsLeft {
                left.slot = smallSlot
                right.slot = parentSlot
            } else {
                left.slot = parentSlot
                right.slot = smallSlot
            }
            if canSplit(left) { left.best = bestSplit(leaf: left, histogram: slots[left.slot!]) }
            if canSplit(right) { right.best = bestSplit(leaf: right, histogram: slots[right.slot!]) }
        } else {
            freeSlots.append(parentSlot)
        }
        leaves[leafIndex] = left
        leaves.append(right)
    }

    /// Reorders the leaf's rows, left ones first, keeping each side in row order; returns the left count.
    ///
    /// Large leaves are split into fixed chunks partitioned concurrently (branch-free, so that
    /// random rows do not mispredict), then each side's pieces are copied back in chunk order.
    private func partition(_ leaf: Leaf, _ split: SplitCandidate) -> Int {
        let counts = data.bins.withUnsafeBufferPointer { bins in
            partitionChunks(leaf, split, column: UnsafeBufferPointer(rebasing: bins[(split.feature * n)..<((split.feature + 1) * n)]))
        }
        let rows = indices + leaf.begin
        let ranges = WorkerPool.chunkRanges(count: leaf.count, chunks: counts.count)
        var leftEnd = 0
        for (chunk, range) in ranges.enumerated() {
            (rows + leftEnd).update(from: scratchLeft + range.lowerBound, count: counts[chunk])
            leftEnd += counts[chunk]
        }
        var rightEnd = leftEnd
        for (chunk, range) in ranges.enumerated() {
            let rightCount = range.count - counts[chunk]
            (rows + rightEnd).update(from: scratchRight + range.lowerBound, count: rightCount)
            rightEnd += rightCount
        }
        return leftEnd
    }

    /// Partitions the leaf's rows chunk by chunk into the scratch arrays, reading the split feature's bins
    /// from `column`; returns each chunk's left count.
    private func partitionChunks(_ leaf: Leaf, _ split: SplitCandidate, column: UnsafeBufferPointer<UInt8>) -> [Int] {
        let column = column.baseAddress!
        let missing = UInt8(data.mappers[split.feature].missingBin)
        let threshold = UInt8(split.bin)
        let defaultLeft = split.defaultLeft
        let chunks = leaf.count >= 65_536 ? 4 : 1
        let rows = indices + leaf.begin
        let lefts = scratchLeft
        let rights = scratchRight
        var counts = [Int](repeating: 0, count: chunks)
        counts.withUnsafeMutableBufferPointer { leftCounts in
            let shared = UncheckedSendable(leftCounts)
            pool.forEachChunk(count: leaf.count, chunks: chunks) { chunk, range in
                var l = range.lowerBound
                var r = range.lowerBound
                for j in range {
                    let row = rows[j]
                    let bin = column[Int(row)]
                    let goLeft = bin == missing ? defaultLeft : bin <= threshold
                    lefts[l] = row
                    rights[r] = row
                    l += goLeft ? 1 : 0
                    r += goLeft ? 0 : 1
                }
                shared.value[chunk] = l - range.lowerBound
            }
        }
        return counts
    }

    private func subtract(_ small: UnsafeMutablePointer<SIMD2<Double>>, from large: UnsafeMutablePointer<SIMD2<Double>>) {
        for f in activeFeatures {
            for b in data.histogramOffsets[f]..<data.histogramOffsets[f + 1] { large[b] -= small[b] }
        }
    }

    /// Sums the leaf's gradients per feature and bin into `histogram`.
    ///
    /// Dense leaves (the root, or an eighth of the rows or more) and very wide data (more than
    /// 65 535 histogram slots) are summed feature by feature
    /// over the column-major bins, each worker owning whole features. Sparse leaves are summed
    /// row by row over the row-major bins, in a fixed number of row chunks whose partial
    /// histograms are added in chunk order, so the result does not depend on the worker count.
    private func buildHistogram(
        leaf: Leaf, into histogram: UnsafeMutablePointer<SIMD2<Double>>, gradients: UnsafePointer<SIMD2<Float>>,
        wholeData: Bool
    ) {
        // Row-wise staging addresses histogram slots with `UInt16`. The bins are lent for the build only.
        if wholeData || leaf.count * 8 >= n || histogramSize > Int(UInt16.max) {
            data.bins.withUnsafeBufferPointer { bins in
                buildColumnWise(leaf: leaf, bins: bins, into: histogram, gradients: gradients, wholeData: wholeData)
            }
        } else {
            data.rowBins.withUnsafeBytes { rowBins in
                buildRowWise(leaf: leaf, rowBins: rowBins, into: histogram, gradients: gradients)
            }
        }
    }

    private func buildColumnWise(
        leaf: Leaf, bins allBins: UnsafeBufferPointer<UInt8>, into histogram: UnsafeMutablePointer<SIMD2<Double>>,
        gradients: UnsafePointer<SIMD2<Float>>, wholeData: Bool
    ) {
        let count = leaf.count
        let rows = indices + leaf.begin
        let ordered = self.ordered
        if !wholeData {
            pool.forEachChunk(count: count, chunks: pool.workers) { _, range in
                for j in range { ordered[j] = gradients[Int(rows[j])] }
            }
        }
        let bins = allBins.baseAddress!
        let offsets = data.histogramOffsets
        let features = activeFeatures
        let workers = pool.workers
        let n = self.n
        let blockRows = TreeLearner.blockRows
        pool.run { worker in
            for k in stride(from: worker, to: features.count, by: workers) {
                let f = features[k]
                (histogram + offsets[f]).update(repeating: .zero, count: offsets[f + 1] - offsets[f])
            }
            var start = 0
            while start < count {
                let end = Swift.min(count, start + blockRows)
                for k in stride(from: worker, to: features.count, by: workers) {
                    let f = features[k]
                    let column = bins + f * n
                    let h = histogram + offsets[f]
                    if wholeData {
                        for row in start..<end {
                            let gh = gradients[row]
                            h[Int(column[row])] += SIMD2(Double(gh.x), Double(gh.y))
                        }
                    } else {
                        for j in start..<end {
                            let gh = ordered[j]
                            h[Int(column[Int(rows[j])])] += SIMD2(Double(gh.x), Double(gh.y))
                        }
                    }
                }
                start = end
            }
        }
    }

    /// Row chunks per sparse histogram: partial histograms beyond the first are added at the end.
    static let rowChunks = 2
    /// Rows staged at a time by the row-wise builder.
    static let stagedRows = 1_024

    /// Row-wise summing in two steps per block of rows: first copy each row's histogram slots
    /// (feature offset plus bin, as `UInt16`) and gradients into a contiguous staging buffer (a
    /// small loop with many independent cache misses in flight), then add the staged rows to the
    /// histogram one group of features at a time (sequential reads, histogram in L1).
    private func buildRowWise(
        leaf: Leaf, rowBins allRowBins: UnsafeRawBufferPointer, into histogram: UnsafeMutablePointer<SIMD2<Double>>,
        gradients: UnsafePointer<SIMD2<Float>>
    ) {
        let chunks = leaf.count >= 4_096 ? TreeLearner.rowChunks : 1
        while partials.count < chunks - 1 { partials.append(.allocate(capacity: histogramSize)) }
        let targets = [histogram] + partials.prefix(chunks - 1)
        let rows = indices + leaf.begin
        let rowBins = allRowBins.baseAddress!
        let width = data.featureCount
        let features = activeFeatures
        let active = features.count
        let allFeatures = active == width
        let vectors = (active + 7) / 8
        let stride = vectors * 8
        let groups = featureGroups
        let size = histogramSize
        let staged = TreeLearner.stagedRows
        let stagedSlots = stagedSlots
        let stagedGradients = stagedGradients
        var firstSlots = [UInt16](repeating: 0, count: stride)
        for (k, f) in features.enumerated() { firstSlots[k] = UInt16(data.histogramOffsets[f]) }
        firstSlots.withUnsafeBufferPointer { offsets in
            let offsetVectors = UnsafeRawPointer(offsets.baseAddress!)
            pool.forEachChunk(count: leaf.count, chunks: chunks) { chunk, range in
                let h = targets[chunk]
                h.update(repeating: .zero, count: size)
                let slots = stagedSlots + chunk * staged * stride
                let ghs = stagedGradients + chunk * staged
                var start = range.lowerBound
                while start < range.upperBound {
                    let end = Swift.min(range.upperBound, start + staged)
                    for j in start..<end {
                        let row = Int(rows[j])
                        let gh = gradients[row]
                        ghs[j - start] = SIMD2(Double(gh.x), Double(gh.y))
                        let source = rowBins + row * width
                        let destination = UnsafeMutableRawPointer(slots + (j - start) * stride)
                        if allFeatures {
                            for v in 0..<vectors {
                                let bins = source.loadUnaligned(fromByteOffset: v * 8, as: SIMD8<UInt8>.self)
                                let first = offsetVectors.loadUnaligned(fromByteOffset: v * 16, as: SIMD8<UInt16>.self)
                                destination.storeBytes(
                                    of: SIMD8<UInt16>(truncatingIfNeeded: bins) &+ first, toByteOffset: v * 16,
                                    as: SIMD8<UInt16>.self)
                            }
                        } else {
                            let out = slots + (j - start) * stride
                            for k in 0..<active {
                                out[k] = offsets[k] &+ UInt16(source.load(fromByteOffset: features[k], as: UInt8.self))
                            }
                        }
                    }
                    for group in groups {
                        for k in 0..<(end - start) {
                            let gh = ghs[k]
                            let row = slots + k * stride
                            for g in group { h[Int(row[g])] += gh }
                        }
                    }
                    start = end
                }
            }
            if chunks > 1 {
                pool.forEachChunk(count: size, chunks: pool.workers) { _, range in
                    for chunk in 1..<chunks {
                        let partial = targets[chunk]
                        for b in range { histogram[b] += partial[b] }
                    }
                }
            }
        }
    }

    /// The best split of `leaf` over the active features, or nil when none gains.
    private func bestSplit(leaf: Leaf, histogram: UnsafeMutablePointer<SIMD2<Double>>) -> SplitCandidate? {
        let features = activeFeatures
        var perFeature = [SplitCandidate?](repeating: nil, count: features.count)
        perFeature.withUnsafeMutableBufferPointer { out in
            let shared = UncheckedSendable(out)
            let workers = features.count >= 16 ? pool : WorkerPool(threads: 1)
            workers.run { worker in
                for k in stride(from: worker, to: features.count, by: workers.workers) {
                    shared.value[k] = bestSplit(feature: features[k], leaf: leaf, histogram: histogram)
                }
            }
        }
        var best: SplitCandidate?
        for candidate in perFeature {
            if let candidate, candidate.gain > (best?.gain ?? -.infinity) { best = candidate }
        }
        return best
    }

    /// The best threshold of feature `f` for `leaf`. Row counts per bin are not summed (that
    /// would slow every histogram update); as in LightGBM they are estimated from the hessians,
    /// `count ≈ hessian × leaf rows / leaf hessian`, which is exact for regression.
    private func bestSplit(feature f: Int, leaf: Leaf, histogram: UnsafeMutablePointer<SIMD2<Double>>) -> SplitCandidate? {
        let p = parameters
        let mapper = data.mappers[f]
        let h = histogram + data.histogramOffsets[f]
        let valueBins = mapper.valueBinCount
        let missing = h[mapper.missingBin]
        let total = leaf.sums
        let countFactor = total.hessian > 0 ? total.count / total.hessian : 0
        let minCount = Double(p.minDataInLeaf)
        let shift = p.leafGain(total.gradient, total.hessian) + p.minGainToSplit
        var best: SplitCandidate?
        var bestGain = 0.0

        @inline(__always)
        func consider(_ sums: SIMD2<Double>, bin: Int, defaultLeft: Bool) {
            let leftCount = (sums.y * countFactor).rounded()
            let left = GradientSums(gradient: sums.x, hessian: sums.y, count: leftCount)
            let right = total - left
            guard leftCount >= minCount, right.count >= minCount,
                  left.hessian >= p.minSumHessianInLeaf, right.hessian >= p.minSumHessianInLeaf
            else { return }
            let gain = p.leafGain(left.gradient, left.hessian) + p.leafGain(right.gradient, right.hessian) - shift
            if gain > bestGain {
                bestGain = gain
                best = SplitCandidate(feature: f, bin: bin, defaultLeft: defaultLeft, gain: gain, left: left, right: right)
            }
        }

        // Missing values right: thresholds over the value bins; the last one separates the missing.
        let hasMissing = missing.y > 0
        var left = SIMD2<Double>.zero
        let lastThreshold = hasMissing ? valueBins - 1 : valueBins - 2
        if lastThreshold >= 0 {
            for t in 0...lastThreshold {
                left += h[t]
                consider(left, bin: t, defaultLeft: false)
            }
        }
        // Missing values left, when there are any.
        if hasMissing && valueBins >= 2 {
            left = missing
            for t in 0..<(valueBins - 1) {
                left += h[t]
                consider(left, bin: t, defaultLeft: true)
            }
        }
        return best
    }
}

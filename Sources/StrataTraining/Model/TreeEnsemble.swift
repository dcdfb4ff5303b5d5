/// The trees of a model flattened into one node array, for fast prediction.
///
/// Each node packs its threshold, feature, children and missing-value direction into 24 bytes;
/// children are absolute node indices, or `~leaf` for an absolute index into the leaf values.
/// The arrays live in allocations written once in `init` and only read afterwards (hence
/// `@unchecked Sendable`), so predicting a row costs no reference counting.
final class TreeEnsemble: @unchecked Sendable {
    struct Node {
        var threshold: Double
        var feature: Int32
        var left: Int32
        var right: Int32
        var defaultLeft: Bool
    }

    private let nodes: UnsafeMutablePointer<Node>
    private let leafValues: UnsafeMutablePointer<Double>
    /// Per tree: its root node index, or `~leaf` when it is a single leaf.
    private let roots: UnsafeMutablePointer<Int32>
    private let treeCount: Int

    init(_ trees: [DecisionTree]) {
        var nodes: [Node] = []
        var leaves: [Double] = []
        var roots: [Int32] = []
        for tree in trees {
            let nodeBase = Int32(nodes.count)
            let leafBase = Int32(leaves.count)
            func child(_ c: Int32) -> Int32 { c >= 0 ? nodeBase + c : ~(leafBase + ~c) }
            roots.append(tree.splitFeature.isEmpty ? ~leafBase : nodeBase)
            for k in tree.splitFeature.indices {
                // Training bins +Infinity with the largest finite values, so a split of the last value
                // bin (threshold greatestFiniteMagnitude, as LightGBM's 1e300) sends it left too.
                let threshold = tree.threshold[k]
                nodes.append(Node(
                    threshold: threshold == .greatestFiniteMagnitude ? .infinity : threshold, feature: tree.splitFeature[k],
                    left: child(tree.leftChild[k]), right: child(tree.rightChild[k]),
                    defaultLeft: tree.defaultLeft[k]))
            }
            leaves += tree.leafValue
        }
        self.nodes = .allocate(capacity: Swift.max(nodes.count, 1))
        self.nodes.initialize(from: nodes, count: nodes.count)
        self.leafValues = .allocate(capacity: Swift.max(leaves.count, 1))
        self.leafValues.initialize(from: leaves, count: leaves.count)
        self.roots = .allocate(capacity: Swift.max(roots.count, 1))
        self.roots.initialize(from: roots, count: roots.count)
        treeCount = roots.count
    }

    deinit {
        nodes.deallocate()
        leafValues.deallocate()
        roots.deallocate()
    }

    /// The sum of the trees' outputs for one row of feature values (missing as NaN).
    ///
    /// Walks four trees at a time in lock step, without branches on the data, so that the four
    /// chains of dependent loads overlap instead of waiting on each other and on mispredictions.
    /// A tree that reached its leaf keeps stepping in place until the slowest of the four is done.
    /// The outputs are still added in tree order.
    /// - Complexity: O(trees × depth).
    @inline(__always)
    func rawScore(_ row: UnsafePointer<Double>) -> Double {
        @inline(__always)
        func step(_ next: Int32) -> Int32 {
            let node = nodes[Int(Swift.max(next, 0))]
            let x = row[Int(node.feature)]
            // NaN fails both comparisons: `!(x > t)` sends it left, `x <= t` right.
            let goLeft = node.defaultLeft ? !(x > node.threshold) : x <= node.threshold
            let child = goLeft ? node.left : node.right
            return next < 0 ? next : child
        }
        var sum = 0.0
        var t = 0
        while t + 4 <= treeCount {
            var a = roots[t]
            var b = roots[t + 1]
            var c = roots[t + 2]
            var d = roots[t + 3]
            while (a & b & c & d) >= 0 {
                a = step(a)
                b = step(b)
                c = step(c)
                d = step(d)
            }
            sum += leafValues[Int(~a)]
            sum += leafValues[Int(~b)]
            sum += leafValues[Int(~c)]
            sum += leafValues[Int(~d)]
            t += 4
        }
        while t < treeCount {
            var next = roots[t]
            while next >= 0 { next = step(next) }
            sum += leafValues[Int(~next)]
            t += 1
        }
        return sum
    }
}

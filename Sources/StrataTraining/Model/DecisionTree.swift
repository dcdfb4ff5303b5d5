/// One regression tree in LightGBM's array layout.
///
/// Internal node `k` is the `k`-th split made; a child index `c >= 0` is an internal node and
/// `c < 0` is leaf `~c`. A row goes left when its value is `<= threshold`, and a missing value
/// (null or NaN) goes left when `defaultLeft` is set. A tree of one leaf has no internal nodes.
public struct DecisionTree: Sendable, Hashable, Codable {
    /// The feature each internal node splits on (an index into the model's feature names).
    public internal(set) var splitFeature: [Int32] = []
    /// The gain of each split.
    public internal(set) var splitGain: [Double] = []
    /// The threshold of each split: values `<= threshold` go left.
    public internal(set) var threshold: [Double] = []
    /// Whether missing values go left at each split.
    public internal(set) var defaultLeft: [Bool] = []
    /// The left child of each internal node.
    public internal(set) var leftChild: [Int32] = []
    /// The right child of each internal node.
    public internal(set) var rightChild: [Int32] = []
    /// The output of each leaf (shrinkage applied; the first tree also holds the base score).
    public internal(set) var leafValue: [Double] = [0]
    /// The sum of hessians of the training rows in each leaf.
    public internal(set) var leafWeight: [Double] = [0]
    /// The number of training rows in each leaf.
    public internal(set) var leafCount: [Int32] = [0]
    /// The output each internal node had as a leaf, before it was split.
    public internal(set) var internalValue: [Double] = []
    /// The sum of hessians of the training rows through each internal node.
    public internal(set) var internalWeight: [Double] = []
    /// The number of training rows through each internal node.
    public internal(set) var internalCount: [Int32] = []

    /// The number of leaves.
    public var numLeaves: Int { leafValue.count }

    /// A tree of one leaf.
    init(value: Double, weight: Double, count: Int) {
        leafValue = [value]
        leafWeight = [weight]
        leafCount = [Int32(count)]
    }

    /// Splits leaf `leaf` into itself (left) and a new leaf (right); returns the new node index.
    @discardableResult
    mutating func split(
        leaf: Int, feature: Int, threshold: Double, defaultLeft: Bool, gain: Double,
        left: (value: Double, weight: Double, count: Int), right: (value: Double, weight: Double, count: Int)
    ) -> Int {
        let node = splitFeature.count
        let newLeaf = leafValue.count
        // Re-point the parent of `leaf` at the new internal node.
        for k in 0..<node {
            if leftChild[k] == ~Int32(leaf) { leftChild[k] = Int32(node) }
            if rightChild[k] == ~Int32(leaf) { rightChild[k] = Int32(node) }
        }
        splitFeature.append(Int32(feature))
        splitGain.append(gain)
        self.threshold.append(threshold)
        self.defaultLeft.append(defaultLeft)
        leftChild.append(~Int32(leaf))
        rightChild.append(~Int32(newLeaf))
        internalValue.append(leafValue[leaf])
        internalWeight.append(left.weight + right.weight)
        internalCount.append(Int32(left.count + right.count))
        leafValue[leaf] = left.value
        leafWeight[leaf] = left.weight
        leafCount[leaf] = Int32(left.count)
        leafValue.append(right.value)
        leafWeight.append(right.weight)
        leafCount.append(Int32(right.count))
        return node
    }

    /// Adds `bias` to every leaf and internal value (how the base score enters the first tree).
    mutating func addBias(_ bias: Double) {
        for i in leafValue.indices { leafValue[i] += bias }
        for i in internalValue.indices { internalValue[i] += bias }
    }
}

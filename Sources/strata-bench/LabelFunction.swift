import Foundation
import StrataColumnar

/// The nonlinear function of the features that the training suite's label is cut from, plus noise.
///
/// Seed 0 is the suite's own function (fixed since the suite was written); any other seed draws a
/// function the code was never tuned on: which features matter, the kind of each term (linear,
/// product, `sin`, `tanh`, square, `abs`, threshold, interaction of thresholds), coefficients, noise
/// level and share of positives, and seeds the features' generators differently, so that models are
/// compared on data of the same shape but not the same values.
struct LabelFunction: CustomStringConvertible {
    enum Term {
        case linear(Int, Double)
        case product(Int, Int, Double)
        case sine(Int, frequency: Double, Double)
        case tanh(Int, Double)
        case square(Int, Double)
        case absolute(Int, Double)
        case threshold(Int, cut: Double, Double)
        case both(Int, Int, Double)

        func value(_ x: (Int) -> Double) -> Double {
            switch self {
            case .linear(let f, let a): a * x(f)
            case .product(let f, let g, let a): a * x(f) * x(g)
            case .sine(let f, let frequency, let a): a * sin(frequency * x(f))
            case .tanh(let f, let a): a * Foundation.tanh(x(f))
            case .square(let f, let a): a * x(f) * x(f)
            case .absolute(let f, let a): a * abs(x(f))
            case .threshold(let f, let cut, let a): x(f) > cut ? a : 0
            case .both(let f, let g, let a): x(f) > 0 && x(g) > 0 ? a : 0
            }
        }
    }

    let seed: UInt64
    let terms: [Term]
    let noise: Double
    /// The share of rows labelled 1 (the label is the score cut at the `1 − positives` quantile).
    let positives: Double
    /// The seed of the features' generators.
    let featureSeed: UInt64

    /// The suite's own function (seed 0) or one drawn from `seed` over `features` features.
    init(seed: UInt64, features: Int) {
        self.seed = seed
        guard seed != 0 else {
            terms = []
            noise = 0.8
            positives = 0.3
            featureSeed = 0x5747_4154
            return
        }
        var rng = SplitMix64(seed: seed &* 0x2545_F491_4F6C_DD1D)
        let informative = Array((0..<features).shuffled(using: &rng).prefix(min(features, 10 + Int(rng.next() % 21))))
        func pick() -> Int { informative[Int(rng.next() % UInt64(informative.count))] }
        func coefficient() -> Double { (0.2 + 0.8 * rng.unit()) * (rng.chance(0.5) ? 1 : -1) }
        terms = (0..<(8 + Int(rng.next() % 13))).map { _ in
            switch rng.next() % 8 {
            case 0: .linear(pick(), coefficient())
            case 1: .product(pick(), pick(), coefficient())
            case 2: .sine(pick(), frequency: 0.5 + 2 * rng.unit(), coefficient())
            case 3: .tanh(pick(), coefficient())
            case 4: .square(pick(), coefficient())
            case 5: .absolute(pick(), coefficient())
            case 6: .threshold(pick(), cut: 2 * rng.unit() - 1, coefficient())
            default: .both(pick(), pick(), coefficient())
            }
        }
        noise = 0.3 + rng.unit()
        positives = [0.1, 0.3, 0.5][Int(rng.next() % 3)]
        featureSeed = rng.next()
    }

    /// The noise-free score of one row.
    func score(_ x: (Int) -> Double) -> Double {
        seed == 0 ? LabelFunction.suiteScore(x) : terms.reduce(0) { $0 + $1.value(x) }
    }

    /// The suite's own function of its first 20 features.
    static func suiteScore(_ x: (Int) -> Double) -> Double {
        var s = 0.8 * x(0) - 0.6 * x(1) + 0.5 * x(2) * x(3) + sin(1.5 * x(4)) + (x(5) > 0.5 ? 0.7 : 0)
        s += -0.4 * x(6) * x(6) + 0.5 * abs(x(7)) + 0.3 * x(8) * x(9) + 0.6 * Foundation.tanh(x(10)) - 0.5 * x(11)
        s += (x(12) > 0 && x(13) > 0 ? 0.8 : 0) + 0.4 * x(14) + 0.3 * max(x(15), 0) - 0.3 * x(16)
        s += 0.25 * x(17) * x(18) + (x(19) < -1 ? -0.9 : 0)
        return s
    }

    var description: String {
        let kinds = Dictionary(grouping: terms) { term -> String in
            switch term {
            case .linear: "linear"
            case .product: "product"
            case .sine: "sin"
            case .tanh: "tanh"
            case .square: "square"
            case .absolute: "abs"
            case .threshold: "threshold"
            case .both: "and"
            }
        }.map { "\($0.value.count) \($0.key)" }.sorted().joined(separator: ", ")
        return seed == 0
            ? "the suite's own label"
            : "label seed \(seed): \(terms.count) terms (\(kinds)), noise σ \(fmt(noise)), \(Int(positives * 100))% positives"
    }
}

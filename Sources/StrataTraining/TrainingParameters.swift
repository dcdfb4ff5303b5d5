/// Training settings, named as LightGBM names them so that users carry their settings over.
///
/// Parsed from `key=value` strings (`num_leaves=63`); LightGBM's common aliases are accepted
/// (`n_estimators`, `eta`, `reg_lambda`, `subsample`, `colsample_bytree`, `n_jobs`, ...). Unknown
/// keys and malformed or out-of-range values are errors that name the key, the value and what
/// was expected. Logistic regression reads `lambda_l2` (its C is 1 / `lambda_l2`),
/// `num_iterations` (at most this many L-BFGS iterations), `tolerance` and `num_threads`; linear
/// regression reads `lambda_l2` and `num_threads`.
public struct TrainingParameters: Sendable, Hashable, Codable {
    /// The loss to minimise; `nil` means binary for `gbdt` and `logistic`, regression for `linear`.
    public var objective: Objective?
    /// Boosting rounds (GBDT) or the most L-BFGS iterations (logistic). LightGBM's default: 100.
    public var numIterations = 100
    /// Shrinkage applied to each tree's leaf values. Default 0.1.
    public var learningRate = 0.1
    /// The most leaves per tree. Default 31.
    public var numLeaves = 31
    /// The deepest a leaf may be; 0 or less means no limit. Default -1.
    public var maxDepth = -1
    /// The fewest training rows in a leaf. Default 20.
    public var minDataInLeaf = 20
    /// The smallest sum of hessians in a leaf. Default 1e-3.
    public var minSumHessianInLeaf = 1e-3
    /// The L2 penalty; `nil` means 0 for trees and linear regression, 1 for logistic regression.
    public var lambdaL2: Double?
    /// The smallest gain a split must bring. Default 0.
    public var minGainToSplit = 0.0
    /// The share of rows each bagging round draws, in `(0, 1]`. Default 1.
    public var baggingFraction = 1.0
    /// Redraw the bag every this many iterations; `nil` means 1 when `bagging_fraction < 1`
    /// (LightGBM would silently ignore the fraction with its default of 0) and 0 otherwise.
    public var baggingFrequency: Int?
    /// The share of features each tree may use, in `(0, 1]`. Default 1.
    public var featureFraction = 1.0
    /// Stop when the validation loss has not improved for this many rounds; 0 disables. Default 0.
    public var earlyStoppingRound = 0
    /// Worker threads; 0 means one per core. Default 0.
    public var numThreads = 0
    /// The seed of every random choice (bagging, feature sampling). Default 0.
    public var seed = 0
    /// The most value bins per feature, in `2...255`; a missing-value bin comes on top. Default 255.
    public var maxBin = 255
    /// The gradient tolerance at which logistic regression stops. Default 1e-4.
    public var tolerance = 1e-4

    /// The defaults.
    public init() {}

    /// Parses `key=value` settings in order (a later setting of a key wins).
    public init(_ settings: [String]) throws {
        self.init()
        for setting in settings {
            guard let equals = setting.firstIndex(of: "=") else {
                throw TrainingError(
                    .invalidParameter, "parameter '\(setting)' is not of the form key=value (for example num_leaves=31)")
            }
            let key = setting[..<equals].trimmingWhitespace
            let value = setting[setting.index(after: equals)...].trimmingWhitespace
            try set(key, value)
        }
    }

    /// Parses settings given as a dictionary; keys are applied in sorted order.
    public init(values: [String: String]) throws {
        try self.init(values.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" })
    }

    /// Sets one parameter by its LightGBM name or alias.
    public mutating func set(_ key: String, _ value: String) throws {
        guard let name = TrainingParameters.canonicalName[key.lowercased()] else {
            throw TrainingError(
                .unknownParameter,
                "unknown parameter '\(key)' (value '\(value)'); expected one of: "
                    + TrainingParameters.names.joined(separator: ", "))
        }
        let reader = ValueReader(key: key, value: value)
        switch name {
        case "objective": objective = try reader.objective()
        case "boosting": try reader.boosting()
        case "num_iterations": numIterations = try reader.integer(in: 0...1_000_000)
        case "learning_rate": learningRate = try reader.double(above: 0)
        case "num_leaves": numLeaves = try reader.integer(in: 2...131_072)
        case "max_depth": maxDepth = try reader.integer(in: Self.int32Range)
        case "min_data_in_leaf": minDataInLeaf = try reader.integer(in: 0...Self.int32Range.upperBound)
        case "min_sum_hessian_in_leaf": minSumHessianInLeaf = try reader.double(atLeast: 0)
        case "lambda_l2": lambdaL2 = try reader.double(atLeast: 0)
        case "min_gain_to_split": minGainToSplit = try reader.double(atLeast: 0)
        case "bagging_fraction": baggingFraction = try reader.fraction()
        case "bagging_freq": baggingFrequency = try reader.integer(in: 0...Self.int32Range.upperBound)
        case "feature_fraction": featureFraction = try reader.fraction()
        case "early_stopping_round": earlyStoppingRound = try reader.integer(in: 0...Self.int32Range.upperBound)
        case "num_threads": numThreads = try reader.integer(in: 0...1024)
        case "seed": seed = try reader.integer(in: Int.min...Int.max)
        case "max_bin": maxBin = try reader.integer(in: 2...255)
        case "tolerance": tolerance = try reader.double(above: 0)
        case "verbosity": _ = try reader.integer(in: Int.min...Int.max)
        default: preconditionFailure("parameter \(name) has no setter")
        }
    }

    /// The settings in LightGBM's names, sorted by name, with defaults resolved for `algorithm`.
    public func lightGBMSettings(for algorithm: Algorithm) -> [(key: String, value: String)] {
        var out: [(String, String)] = [
            ("objective", resolvedObjective(for: algorithm).rawValue),
            ("num_iterations", String(numIterations)),
            ("lambda_l2", String(resolvedLambdaL2(for: algorithm))),
            ("num_threads", String(numThreads)),
        ]
        switch algorithm {
        case .gbdt:
            out += [
                ("learning_rate", String(learningRate)), ("num_leaves", String(numLeaves)),
                ("max_depth", String(maxDepth)), ("min_data_in_leaf", String(minDataInLeaf)),
                ("min_sum_hessian_in_leaf", String(minSumHessianInLeaf)),
                ("min_gain_to_split", String(minGainToSplit)),
                ("bagging_fraction", String(baggingFraction)), ("bagging_freq", String(resolvedBaggingFrequency)),
                ("feature_fraction", String(featureFraction)),
                ("early_stopping_round", String(earlyStoppingRound)), ("seed", String(seed)),
                ("max_bin", String(maxBin)),
            ]
        case .logistic: out.append(("tolerance", String(tolerance)))
        case .linear: break
        }
        return out.sorted { $0.0 < $1.0 }.map { (key: $0.0, value: $0.1) }
    }

    /// The objective used for `algorithm`.
    public func resolvedObjective(for algorithm: Algorithm) -> Objective {
        objective ?? (algorithm == .linear ? .regression : .binary)
    }

    /// The L2 penalty used for `algorithm`.
    public func resolvedLambdaL2(for algorithm: Algorithm) -> Double {
        lambdaL2 ?? (algorithm == .logistic ? 1 : 0)
    }

    /// How often the bag is redrawn; 0 means no bagging.
    public var resolvedBaggingFrequency: Int {
        baggingFraction >= 1 ? 0 : (baggingFrequency ?? 1)
    }

    /// The range of LightGBM's integer parameters (C `int`); it also keeps arithmetic on them, such as
    /// twice `min_data_in_leaf`, far from overflow.
    static let int32Range = Int(Int32.min)...Int(Int32.max)

    /// Every accepted name (canonical names first in each group) mapped to its canonical name.
    static let canonicalName: [String: String] = {
        var map: [String: String] = [:]
        for (name, aliases) in aliasTable {
            map[name] = name
            for alias in aliases { map[alias] = name }
        }
        return map
    }()

    /// The canonical names, sorted.
    static var names: [String] { aliasTable.map(\.0).sorted() }

    private static let aliasTable: [(String, [String])] = [
        ("objective", ["objective_type", "app", "application", "loss"]),
        ("boosting", ["boosting_type", "boost"]),
        ("num_iterations", ["num_iteration", "n_iter", "num_tree", "num_trees", "num_round", "num_rounds",
                            "nrounds", "num_boost_round", "n_estimators", "max_iter"]),
        ("learning_rate", ["shrinkage_rate", "eta"]),
        ("num_leaves", ["num_leaf", "max_leaves", "max_leaf", "max_leaf_nodes"]),
        ("max_depth", []),
        ("min_data_in_leaf", ["min_data_per_leaf", "min_data", "min_child_samples", "min_samples_leaf"]),
        ("min_sum_hessian_in_leaf", ["min_sum_hessian_per_leaf", "min_sum_hessian", "min_hessian",
                                     "min_child_weight"]),
        ("lambda_l2", ["reg_lambda", "lambda", "l2_regularization"]),
        ("min_gain_to_split", ["min_split_gain"]),
        ("bagging_fraction", ["sub_row", "subsample", "bagging"]),
        ("bagging_freq", ["subsample_freq"]),
        ("feature_fraction", ["sub_feature", "colsample_bytree"]),
        ("early_stopping_round", ["early_stopping_rounds", "early_stopping", "n_iter_no_change"]),
        ("num_threads", ["num_thread", "nthread", "nthreads", "n_jobs"]),
        ("seed", ["random_seed", "random_state"]),
        ("max_bin", ["max_bins"]),
        ("tolerance", ["tol"]),
        ("verbosity", ["verbose"]),
    ]
}

/// Reads one parameter value, throwing an error that names the key, the value and the expectation.
private struct ValueReader {
    let key: String
    let value: String

    func fail(_ expected: String) -> TrainingError {
        TrainingError(.invalidParameter, "parameter '\(key)' has value '\(value)'; expected \(expected)")
    }

    func integer(in range: ClosedRange<Int>) throws -> Int {
        let expected: String
        if range.lowerBound == Int.min && range.upperBound == Int.max {
            expected = "an integer"
        } else if range.upperBound == Int.max {
            expected = "an integer of at least \(range.lowerBound)"
        } else {
            expected = "an integer from \(range.lowerBound) to \(range.upperBound)"
        }
        guard let n = Int(value), range.contains(n) else { throw fail(expected) }
        return n
    }

    func number(_ expected: String) throws -> Double {
        guard let x = Double(value), x.isFinite else { throw fail(expected) }
        return x
    }

    func double(above bound: Double) throws -> Double {
        let expected = "a number greater than \(bound.formatted)"
        let x = try number(expected)
        guard x > bound else { throw fail(expected) }
        return x
    }

    func double(atLeast bound: Double) throws -> Double {
        let expected = "a number of at least \(bound.formatted)"
        let x = try number(expected)
        guard x >= bound else { throw fail(expected) }
        return x
    }

    func fraction() throws -> Double {
        let expected = "a number in (0, 1]"
        let x = try number(expected)
        guard x > 0 && x <= 1 else { throw fail(expected) }
        return x
    }

    func objective() throws -> Objective {
        switch value.lowercased() {
        case "binary", "cross_entropy", "xentropy": return .binary
        case "regression", "regression_l2", "l2", "mean_squared_error", "mse", "l2_root",
             "root_mean_squared_error", "rmse":
            return .regression
        default: throw fail("'binary' or 'regression'")
        }
    }

    func boosting() throws {
        guard ["gbdt", "gbrt"].contains(value.lowercased()) else { throw fail("'gbdt'") }
    }
}

extension Double {
    /// Integral values without a trailing `.0`, for messages.
    var formatted: String { self == rounded() && abs(self) < 1e15 ? String(Int(self)) : String(self) }
}

extension Substring {
    var trimmingWhitespace: String {
        var s = self[...]
        while let first = s.first, first.isWhitespace { s = s.dropFirst() }
        while let last = s.last, last.isWhitespace { s = s.dropLast() }
        return String(s)
    }
}

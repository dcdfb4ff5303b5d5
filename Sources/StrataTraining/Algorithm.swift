/// The model family a training run fits.
public enum Algorithm: String, Sendable, Hashable, Codable, CaseIterable {
    /// Histogram-based gradient-boosted decision trees, grown leaf-wise (LightGBM's method).
    case gbdt
    /// L2-regularised logistic regression on standardised inputs, fitted by L-BFGS.
    case logistic
    /// Linear least squares with an optional ridge penalty, solved in closed form (Cholesky).
    case linear
}

/// What a model predicts and which loss it minimises.
public enum Objective: String, Sendable, Hashable, Codable, CaseIterable {
    /// Binary classification with log-loss; labels 0 or 1 (or bool); predictions are probabilities.
    case binary
    /// Regression with squared error; predictions are values.
    case regression
}

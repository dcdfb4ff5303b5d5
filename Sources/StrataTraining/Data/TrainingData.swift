import StrataColumnar

/// Features and a label taken from a `Frame`, ready for training.
///
/// Features are numeric or bool columns of any width (`float64`, `float32`, `int64`, `int32`,
/// `bool`); nulls and NaN are missing values. ±Infinity are values: GBDT orders them beyond every
/// finite value (as LightGBM), linear and logistic models refuse them (as scikit-learn). The label
/// is numeric or bool without nulls, NaN or infinities.
public struct TrainingData: Sendable {
    /// The feature names, in the order models read them.
    public let featureNames: [String]
    /// The name of the label column.
    public let labelName: String
    /// The number of rows.
    public let rowCount: Int
    /// The values of each feature, missing values as NaN. A `float64` column without nulls is
    /// shared with the frame, not copied.
    public let features: [[Double]]
    /// The label of each row.
    public let labels: [Double]

    /// Takes `features` (by default every numeric and bool column but the label) and `label` from
    /// `frame`.
    ///
    /// - Throws: `TrainingError` when a column is missing, a feature is a string or timestamp
    ///   column, or the label has nulls or NaN.
    /// - Complexity: O(rows × features).
    public init(frame: Frame, label: String, features: [String]? = nil) throws {
        guard let labelColumn = frame[label] else {
            throw TrainingError(
                .missingColumn,
                "label column '\(label)' is not in the frame; its columns are: \(frame.names.joined(separator: ", "))")
        }
        let names = features ?? frame.names.enumerated().compactMap { i, name in
            name != label && frame.columns[i].type.isNumeric && frame.columns[i].type != .timestamp ? name : nil
        }
        guard !names.isEmpty else {
            throw TrainingError(.insufficientData, "no feature columns besides the label '\(label)'")
        }
        if names.contains(label) {
            throw TrainingError(.invalidColumn, "column '\(label)' is both the label and a feature")
        }
        self.features = try TrainingData.featureColumns(frame, names).map(TrainingData.doubles)
        self.labels = try TrainingData.labelValues(labelColumn, name: label)
        self.featureNames = names
        self.labelName = label
        self.rowCount = frame.rowCount
    }

    /// The feature `index`'s values (missing as NaN).
    func withFeature<R>(_ index: Int, _ body: (UnsafeBufferPointer<Double>) -> R) -> R {
        features[index].withUnsafeBufferPointer(body)
    }

    /// Throws when a feature holds +Infinity or -Infinity, which `algorithm` (linear or logistic) cannot
    /// standardise; names the feature, the row and the value.
    func rejectInfinities(algorithm: Algorithm) throws {
        for f in featureNames.indices {
            let row = withFeature(f) { values in values.firstIndex { $0.isInfinite } }
            guard let row else { continue }
            throw TrainingError(
                .invalidColumn,
                "feature '\(featureNames[f])' is \(features[f][row]) at row \(row + 1); \(algorithm.rawValue) models need "
                    + "finite values or null (gbdt orders ±Infinity beyond every finite value)")
        }
    }

    /// The values of a numeric column as `Double`, nulls as NaN; shared when already so.
    static func doubles(_ column: Column) -> [Double] {
        if case .float64(let values) = column.storage, column.validity == nil { return values }
        return NumericMatrix(columns: [column], layout: .columnMajor).values
    }

    /// The named feature columns of `frame` as a matrix, checking that each is a usable feature.
    static func matrix(_ frame: Frame, _ names: [String], layout: NumericMatrix.Layout) throws -> NumericMatrix {
        NumericMatrix(columns: try featureColumns(frame, names), layout: layout)
    }

    /// The named columns of `frame`, checking that each is a usable feature.
    static func featureColumns(_ frame: Frame, _ names: [String]) throws -> [Column] {
        var columns: [Column] = []
        columns.reserveCapacity(names.count)
        for name in names {
            guard let column = frame[name] else {
                throw TrainingError(
                    .missingColumn,
                    "feature column '\(name)' is not in the frame; its columns are: \(frame.names.joined(separator: ", "))")
            }
            guard column.type.isNumeric && column.type != .timestamp else {
                throw TrainingError(
                    .invalidColumn,
                    "feature column '\(name)' is of type \(column.type); expected float64, float32, int64, int32 or bool")
            }
            columns.append(column)
        }
        return columns
    }

    static func labelValues(_ column: Column, name: String) throws -> [Double] {
        guard column.type.isNumeric && column.type != .timestamp else {
            throw TrainingError(
                .invalidLabel, "label column '\(name)' is of type \(column.type); expected a numeric or bool column")
        }
        if column.nullCount > 0 {
            let first = (0..<column.count).first { column.isNull($0) }!
            throw TrainingError(
                .invalidLabel, "label column '\(name)' has \(column.nullCount) null values (first at row \(first))")
        }
        let values = doubles(column)
        if let bad = values.firstIndex(where: { !$0.isFinite }) {
            throw TrainingError(.invalidLabel, "label column '\(name)' has value \(values[bad]) at row \(bad); expected finite numbers")
        }
        return values
    }
}

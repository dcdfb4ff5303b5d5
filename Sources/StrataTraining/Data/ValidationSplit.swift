import StrataColumnar

/// How rows are set aside to validate on; never a random split, which would leak across time.
public enum ValidationSplit: Sendable, Hashable {
    /// Rows whose `column` (a `timestamp` or `int64` column) is at or after `micros` validate.
    case fromTime(column: String, micros: Int64)
    /// Rows whose `column` (a `bool` or 0/1 numeric column) is true or 1 validate; the column is
    /// dropped from both parts.
    case indicator(column: String)

    /// The training rows and the validation rows of `frame`, in their original order.
    ///
    /// - Throws: `TrainingError` when the column is missing, of the wrong type, or has nulls, or
    ///   when either side would be empty.
    /// - Complexity: O(rows × columns).
    public func split(_ frame: Frame) throws -> (train: Frame, validation: Frame) {
        var isValidation: [Bool]
        var source = frame
        switch self {
        case .fromTime(let name, let micros):
            let column = try Self.column(frame, name)
            guard column.type == .timestamp || column.type == .int64 else {
                throw TrainingError(
                    .invalidColumn, "validation time column '\(name)' is of type \(column.type); expected timestamp")
            }
            try Self.rejectNulls(column, name)
            isValidation = column.integerValues.map { $0 >= micros }
        case .indicator(let name):
            let column = try Self.column(frame, name)
            try Self.rejectNulls(column, name)
            switch column.storage {
            case .bool(let values): isValidation = values
            case .string, .timestamp:
                throw TrainingError(
                    .invalidColumn, "validation column '\(name)' is of type \(column.type); expected bool or 0/1")
            default:
                isValidation = []
                isValidation.reserveCapacity(column.count)
                for row in 0..<column.count {
                    let x = column.double(at: row)!
                    guard x == 0 || x == 1 else {
                        throw TrainingError(
                            .invalidColumn, "validation column '\(name)' has value \(x) at row \(row); expected 0 or 1")
                    }
                    isValidation.append(x == 1)
                }
            }
            source = frame.selecting(frame.names.filter { $0 != name })
        }
        let validationRows = isValidation.reduce(0) { $0 + ($1 ? 1 : 0) }
        guard validationRows > 0 && validationRows < frame.rowCount else {
            throw TrainingError(
                .insufficientData,
                "the validation split leaves \(frame.rowCount - validationRows) training rows and \(validationRows) validation rows; both must be non-zero")
        }
        return (source.filter(mask: isValidation.map { !$0 }), source.filter(mask: isValidation))
    }

    private static func column(_ frame: Frame, _ name: String) throws -> Column {
        guard let column = frame[name] else {
            throw TrainingError(
                .missingColumn,
                "validation column '\(name)' is not in the frame; its columns are: \(frame.names.joined(separator: ", "))")
        }
        return column
    }

    private static func rejectNulls(_ column: Column, _ name: String) throws {
        if column.nullCount > 0 {
            throw TrainingError(.invalidColumn, "validation column '\(name)' has \(column.nullCount) nulls; expected none")
        }
    }
}

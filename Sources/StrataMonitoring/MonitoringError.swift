/// A drift or skew check that cannot run as asked: bad input, an unknown feature, a missing history.
public struct MonitoringError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public enum Code: String, Sendable, Hashable {
        /// A reference or current argument that names no input Strata reads.
        case badInput
        /// A method that does not apply to the column's kind, or a bad threshold.
        case badMethod
        /// A column that is in neither window or not in both.
        case missingColumn
        /// A saved set, saved run or table that does not exist.
        case notFound
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}

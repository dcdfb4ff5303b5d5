/// An error from preparing data, training, predicting or reading a model.
public struct TrainingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure this is.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        let name: String
        /// An unknown parameter name.
        public static let unknownParameter = Code(name: "unknownParameter")
        /// A parameter value of the wrong form or out of range.
        public static let invalidParameter = Code(name: "invalidParameter")
        /// A column that is named but not in the frame.
        public static let missingColumn = Code(name: "missingColumn")
        /// A column of a type the operation cannot use.
        public static let invalidColumn = Code(name: "invalidColumn")
        /// A label that the objective cannot use (nulls, or not 0/1 for a binary objective).
        public static let invalidLabel = Code(name: "invalidLabel")
        /// Data too small or degenerate to train on.
        public static let insufficientData = Code(name: "insufficientData")
        /// The numerical method did not produce a model (a singular system).
        public static let numericalFailure = Code(name: "numericalFailure")
        /// A model artifact that cannot be decoded.
        public static let invalidArtifact = Code(name: "invalidArtifact")
        /// Rows or frames whose shape does not match the model.
        public static let shapeMismatch = Code(name: "shapeMismatch")

        /// The code's name.
        public var description: String { name }
    }

    /// The kind of failure.
    public let code: Code
    /// A message saying what was expected and where.
    public let message: String
    /// The underlying error's description, if any.
    public let cause: String?

    /// Creates an error.
    public init(_ code: Code, _ message: String, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause.map { String(describing: $0) }
    }

    /// The message, followed by the cause when there is one.
    public var description: String {
        cause.map { "\(message) (\($0))" } ?? message
    }
}

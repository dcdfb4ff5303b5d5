import Foundation

/// Deterministic JSON for content hashing: object keys sorted, no whitespace.
public enum CanonicalJSON {
    /// `value` as canonical JSON text; equal values give equal text in every run.
    ///
    /// Non-finite floating-point numbers are written as the strings `"Infinity"`, `"-Infinity"` and
    /// `"NaN"`, so the model types always encode. A value whose `encode(to:)` throws is a programming
    /// error and stops the process.
    public static func encode<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN"
        )
        do {
            return String(decoding: try encoder.encode(value), as: UTF8.self)
        } catch {
            preconditionFailure("CanonicalJSON: a \(T.self) value failed to encode: \(error)")
        }
    }
}

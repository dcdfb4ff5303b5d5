/// The decoders of outside input that Strata fuzzes (Fuzz/README.md), each behind one entry point that
/// the libFuzzer harness (`strata-fuzz`) and the corpus regression tests call alike.
public enum FuzzTarget: String, Sendable, CaseIterable {
    /// Schema YAML through parsing and validation, then the registry's canonical specs.
    case schema
    /// A CSV file read as a spine and as a push file.
    case csv
    /// PostgreSQL binary COPY messages decoded into typed columns.
    case binaryCopy = "binary-copy"
    /// Online-store records decoded as a lookup decodes Redis's replies.
    case onlineRecord = "online-record"
    /// The feature server's request bodies, parsed and checked as its routes do.
    case http

    /// The longest input worth generating: long enough for every construct of the format, short enough
    /// to keep executions fast (libFuzzer's `-max_len`).
    public var maxLength: Int {
        switch self {
        case .schema: 8192
        case .csv: 4096
        case .binaryCopy: 4096
        case .onlineRecord: 2048
        case .http: 4096
        }
    }

    /// Feeds `input` to the target's decoder.
    /// - Returns: `.accepted`, or `.refused` with the error the decoder reported.
    /// - Throws: `FuzzFailure` when the decoder broke a promise (see `FuzzFailure`). Traps, hangs and
    ///   memory errors are for the harness (and the sanitizers) to notice.
    public func run(_ input: UnsafeRawBufferPointer) throws(FuzzFailure) -> FuzzOutcome {
        switch self {
        case .schema: try SchemaTarget.run(input)
        case .csv: try CSVTarget.run(input)
        case .binaryCopy: try BinaryCopyTarget.run(input)
        case .onlineRecord: try OnlineRecordTarget.run(input)
        case .http: try HTTPTarget.run(input)
        }
    }

    /// Feeds `input` to the target's decoder (see `run(_:)` on a buffer).
    public func run(_ input: [UInt8]) throws(FuzzFailure) -> FuzzOutcome {
        let result = input.withUnsafeBytes { bytes in Result { () throws(FuzzFailure) in try run(bytes) } }
        return try result.get()
    }
}

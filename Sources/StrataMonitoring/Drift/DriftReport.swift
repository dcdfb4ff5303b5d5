/// A drift check's result: the two windows, every column's test, and the dataset's verdict.
public struct DriftReport: Sendable, Codable {
    /// Where a window's data came from and how many rows it had.
    public struct Window: Sendable, Hashable, Codable {
        /// The input as given (`saved:NAME`, `window:FROM..TO`, a query, a CSV path).
        public var source: String
        /// The rows read (for inputs over several views, the most rows any view gave).
        public var rows: Int

        public init(source: String, rows: Int) {
            self.source = source
            self.rows = rows
        }
    }

    public var reference: Window
    public var current: Window
    /// The columns, in the order asked for.
    public var columns: [ColumnDrift]
    /// How many tested columns drifted.
    public var driftedColumns: Int
    /// Drifted columns ÷ tested columns (0 when none was tested).
    public var share: Double
    /// Whether `share` reached the drift share (Evidently: share ≥ 0.5).
    public var datasetDrifted: Bool
    /// Columns that were not tested (timestamps, which Evidently's preset leaves out too); not
    /// part of the JSON output.
    public var skipped: [String] = []

    enum CodingKeys: String, CodingKey {
        case reference, current, columns, share
        case driftedColumns = "drifted_columns"
        case datasetDrifted = "dataset_drifted"
    }

    public init(reference: Window, current: Window, columns: [ColumnDrift], driftShare: Double) {
        self.reference = reference
        self.current = current
        self.columns = columns
        let tested = columns.filter { $0.status == .tested }
        driftedColumns = tested.filter(\.drifted).count
        share = tested.isEmpty ? 0 : Double(driftedColumns) / Double(tested.count)
        datasetDrifted = !tested.isEmpty && share >= driftShare
    }
}

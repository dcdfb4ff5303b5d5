/// Named columns of equal length.
public struct Frame: Sendable {
    /// The column names, unique, in order.
    public private(set) var names: [String]
    /// The columns, in the order of `names`.
    public private(set) var columns: [Column]
    /// The number of rows of every column.
    public private(set) var rowCount: Int

    /// Creates a frame with no columns and no rows.
    public init() {
        names = []
        columns = []
        rowCount = 0
    }

    /// Creates a frame; names must be unique and columns of equal length.
    ///
    /// `rowCount` is only needed for a frame without columns.
    public init(names: [String], columns: [Column], rowCount: Int? = nil) {
        precondition(names.count == columns.count, "\(names.count) names for \(columns.count) columns")
        precondition(Set(names).count == names.count, "Duplicate column names in \(names)")
        let rows = columns.first?.count ?? rowCount ?? 0
        for (name, column) in zip(names, columns) {
            precondition(
                column.count == rows, "Column '\(name)' has \(column.count) rows, expected \(rows)")
        }
        if let rowCount {
            precondition(rowCount == rows, "Frame of \(rowCount) rows given columns of \(rows) rows")
        }
        self.names = names
        self.columns = columns
        self.rowCount = rows
    }

    /// Creates a frame from name–column pairs.
    public init(_ pairs: KeyValuePairs<String, Column>) {
        self.init(names: pairs.map(\.key), columns: pairs.map(\.value))
    }

    /// The number of columns.
    public var columnCount: Int { columns.count }

    /// The position of the column named `name`.
    public func index(of name: String) -> Int? { names.firstIndex(of: name) }

    /// The column named `name`, if any.
    public subscript(name: String) -> Column? {
        index(of: name).map { columns[$0] }
    }

    /// This frame with `column` appended under `name` (which must be new and of `rowCount` rows).
    public func adding(_ name: String, _ column: Column) -> Frame {
        Frame(names: names + [name], columns: columns + [column], rowCount: columns.isEmpty && rowCount == 0 ? nil : rowCount)
    }

    /// This frame with only the named columns, in the order given; every name must exist.
    public func selecting(_ selected: [String]) -> Frame {
        let picked = selected.map { name -> Column in
            guard let column = self[name] else {
                preconditionFailure("No column '\(name)' in frame with columns \(names)")
            }
            return column
        }
        return Frame(names: selected, columns: picked, rowCount: rowCount)
    }
}

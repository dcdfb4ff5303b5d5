/// One key of a sort: a column and a direction.
public struct SortKey: Sendable {
    /// The column whose values order the rows.
    public var column: Column
    /// Whether larger values come first.
    public var descending: Bool

    /// Creates a sort key, ascending unless `descending`.
    public init(_ column: Column, descending: Bool = false) {
        self.column = column
        self.descending = descending
    }
}

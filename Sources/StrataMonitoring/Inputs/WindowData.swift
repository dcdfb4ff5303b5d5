import StrataColumnar

/// One window's columns as read: names and columns in order, each column as long as its view
/// gave (columns of one query or file are equally long; a time window's views need not be).
struct WindowData: Sendable {
    var names: [String]
    var columns: [Column]

    /// The rows read: the longest column.
    var rows: Int { columns.map(\.count).max() ?? 0 }

    /// The column named `name`, if any.
    func column(_ name: String) -> Column? {
        names.firstIndex(of: name).map { columns[$0] }
    }
}

/// One numbered SQL migration shipped with Strata.
public struct MigrationFile: Sendable, Hashable {
    public var version: Int
    public var name: String
    public var sql: String
}

/// The registry's migrations, compiled into the binary from `sql/` by the `EmbedTextFiles` build-tool
/// plugin: the `strata` executable needs no files beside it.
public enum StrataMigrations {
    /// All migrations, in version order.
    public static func all() -> [MigrationFile] {
        embedded.compactMap { file, sql -> MigrationFile? in
            guard let version = Int(file.prefix { $0.isNumber }), file.hasSuffix(".sql") else { return nil }
            return MigrationFile(version: version, name: String(file.dropLast(4)), sql: sql)
        }
        .sorted { $0.version < $1.version }
    }
}

import Foundation

/// One numbered SQL migration shipped with Strata.
public struct MigrationFile: Sendable, Hashable {
    public var version: Int
    public var name: String
    public var sql: String
}

/// The registry's migrations, read from this target's bundled `sql/` folder.
public enum StrataMigrations {
    /// All migrations, in version order.
    public static func all() throws -> [MigrationFile] {
        guard let folder = Bundle.module.url(forResource: "sql", withExtension: nil) else {
            throw CocoaError(.fileNoSuchFile)
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { $0.hasSuffix(".sql") }
        var files: [MigrationFile] = []
        for name in names {
            let digits = name.prefix { $0.isNumber }
            guard let version = Int(digits) else { continue }
            let sql = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            files.append(MigrationFile(version: version, name: String(name.dropLast(4)), sql: sql))
        }
        return files.sorted { $0.version < $1.version }
    }
}

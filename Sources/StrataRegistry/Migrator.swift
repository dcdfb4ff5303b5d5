import StrataMigrations
import StrataPostgres

/// Applies the registry's numbered migrations, once, in order, under an advisory lock.
public enum Migrator {
    /// The advisory-lock key that serialises migrations across processes ("strata" in ASCII).
    static let lockKey: Int64 = 0x7374_7261_7461

    /// Applies every migration not yet recorded, in one transaction; returns the versions applied.
    /// Two processes calling this at once never apply a migration twice: the second waits for the
    /// first's lock and then finds nothing left to do.
    @discardableResult
    public static func migrate(_ connection: PostgresConnection) throws -> [Int] {
        let files = StrataMigrations.all()
        return try connection.transaction { db in
            try db.execute("SELECT pg_advisory_xact_lock($1)", [.int(lockKey)])
            try db.execute("""
                CREATE TABLE IF NOT EXISTS strata_migrations (
                    version integer PRIMARY KEY,
                    name text NOT NULL,
                    checksum text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now())
                """)
            let applied = try db.execute("SELECT version, name, checksum FROM strata_migrations ORDER BY version")
            var known: [Int: String] = [:]
            for row in 0..<applied.rowCount {
                known[Int(applied.int(row, 0)!)] = applied.string(row, 2)!
            }
            var done: [Int] = []
            for file in files {
                let checksum = MigrationChecksum.of(file.sql)
                if let recorded = known[file.version] {
                    guard recorded == checksum else {
                        throw RegistryError(
                            code: .migrationMismatch,
                            message: "migration \(file.name) was changed after it was applied to this database (recorded checksum \(recorded), shipped \(checksum)); add a new migration instead of editing one")
                    }
                    continue
                }
                try db.executeScript(file.sql)
                try db.execute(
                    "INSERT INTO strata_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                    [.int(Int64(file.version)), .text(file.name), .text(checksum)])
                done.append(file.version)
            }
            return done
        }
    }

    /// The shipped migrations not yet applied to this database, in order, found without writing: for
    /// verbs that only read, which a read-only role may run.
    /// - Throws: `RegistryError.migrationMismatch` when an applied migration differs from the shipped one.
    public static func pending(_ connection: PostgresConnection) throws -> [Int] {
        let exists = try connection.execute("SELECT to_regclass('strata_migrations') IS NOT NULL")
        guard exists.bool(0, 0) == true else { return StrataMigrations.all().map(\.version) }
        let applied = try connection.execute("SELECT version, checksum FROM strata_migrations")
        var known: [Int: String] = [:]
        for row in 0..<applied.rowCount {
            guard let version = applied.int(row, 0), let checksum = applied.string(row, 1) else { continue }
            known[Int(version)] = checksum
        }
        return try StrataMigrations.all().compactMap { file in
            guard let recorded = known[file.version] else { return file.version }
            let checksum = MigrationChecksum.of(file.sql)
            guard recorded == checksum else {
                throw RegistryError(
                    code: .migrationMismatch,
                    message: "migration \(file.name) was changed after it was applied to this database (recorded checksum \(recorded), shipped \(checksum)); add a new migration instead of editing one")
            }
            return nil
        }
    }

    /// The versions recorded as applied in this database, in order.
    public static func appliedVersions(_ connection: PostgresConnection) throws -> [Int] {
        let exists = try connection.execute("SELECT to_regclass('strata_migrations') IS NOT NULL")
        guard exists.bool(0, 0) == true else { return [] }
        let rows = try connection.execute("SELECT version FROM strata_migrations ORDER BY version")
        return (0..<rows.rowCount).map { Int(rows.int($0, 0)!) }
    }
}

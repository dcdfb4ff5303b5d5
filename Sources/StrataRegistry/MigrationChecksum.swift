import StrataCore

/// The checksum recorded for an applied migration, so that an edited migration is noticed.
enum MigrationChecksum {
    static func of(_ sql: String) -> String { String(SHA256.hex(sql).prefix(16)) }
}

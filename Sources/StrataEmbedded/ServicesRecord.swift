import Foundation

/// The local services of one folder, as kept in `<folder>/services.json`.
public struct ServicesRecord: Codable, Sendable, Hashable {
    /// The folder (absolute) holding `services.json`, the password files, `pg/` and `redis/`.
    public var directory: String
    /// The PostgreSQL server.
    public var postgres: ServiceRecord
    /// The Redis server.
    public var redis: ServiceRecord

    /// Creates a record.
    public init(directory: String, postgres: ServiceRecord, redis: ServiceRecord) {
        self.directory = directory
        self.postgres = postgres
        self.redis = redis
    }

    /// The path of `services.json` in `directory`.
    public static func file(in directory: String) -> String {
        "\(directory)/services.json"
    }

    /// Reads `services.json` from `directory`; nil when there is none.
    public static func read(from directory: String) throws -> ServicesRecord? {
        let path = file(in: directory)
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        do {
            return try JSONDecoder().decode(ServicesRecord.self, from: data)
        } catch {
            throw LocalServicesError(
                code: .badRecord,
                message: "\(path) is not a services record; delete it and run `strata up` again",
                underlying: "\(error)")
        }
    }

    /// Writes the record to `services.json` in its directory, readable by its owner only.
    public func write() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let path = Self.file(in: directory)
        let data: Data
        do {
            data = try encoder.encode(self)
        } catch {
            throw LocalServicesError(code: .badRecord, message: "could not encode \(path)", underlying: "\(error)")
        }
        try Paths.writePrivateFile(path, String(decoding: data, as: UTF8.self) + "\n")
    }
}

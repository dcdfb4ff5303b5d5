import Foundation
import StrataMigrations
import Testing

/// The migrations compiled into the binary are exactly the files of migrations/sql.
@Suite struct EmbeddedMigrationsTests {
    @Test func everyFileIsEmbeddedByteForByte() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../migrations/sql").standardized
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".sql") }.sorted()
        let embedded = StrataMigrations.all()
        #expect(!files.isEmpty)
        #expect(embedded.map { "\($0.name).sql" } == files)
        for migration in embedded {
            let data = try Data(contentsOf: folder.appendingPathComponent("\(migration.name).sql"))
            #expect(Array(migration.sql.utf8) == Array(data), "\(migration.name)")
            #expect(migration.version == Int(migration.name.prefix { $0.isNumber }))
        }
        #expect(embedded.map(\.version) == embedded.map(\.version).sorted())
    }
}

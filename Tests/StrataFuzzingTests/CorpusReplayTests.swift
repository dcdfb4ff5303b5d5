import Foundation
import StrataFuzzing
import Testing

/// Every committed seed and every input the fuzzer found, fed through the same entry point as the
/// libFuzzer harness: each must end in a result or a clean error, never a trap or a broken promise.
@Suite struct CorpusReplayTests {
    static let fuzzFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Fuzz").standardized

    /// The files of `Fuzz/<kind>/<target>`, sorted.
    static func files(_ kind: String, _ target: FuzzTarget) -> [URL] {
        let folder = fuzzFolder.appendingPathComponent(kind).appendingPathComponent(target.rawValue)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted().map { folder.appendingPathComponent($0) }
    }

    @Test(arguments: FuzzTarget.allCases)
    func seedCorpusIsReadCleanly(target: FuzzTarget) throws {
        let seeds = Self.files("corpus", target)
        #expect(!seeds.isEmpty, "Fuzz/corpus/\(target.rawValue) holds no seeds")
        var accepted = 0
        for file in seeds {
            let outcome = try target.run([UInt8](try Data(contentsOf: file)))
            if outcome == .accepted { accepted += 1 }
        }
        // A seed corpus that the decoder refuses entirely would fuzz only its error paths.
        #expect(accepted > 0, "no seed of \(target.rawValue) is accepted")
    }

    @Test(arguments: FuzzTarget.allCases)
    func foundInputsAreReadCleanly(target: FuzzTarget) throws {
        for file in Self.files("crashes", target) {
            let outcome = try target.run([UInt8](try Data(contentsOf: file)))
            if case .refused(let message) = outcome { #expect(!message.isEmpty, "\(file.lastPathComponent)") }
        }
    }
}

import Foundation
import StrataTestSupport
import Testing

extension FaultMatrix {
    /// Every command that writes a file, on a disk that fills up: a clear error naming the file, exit 2, and
    /// nothing left in the folder, neither the output nor a partial file; nothing saved in the registry.
    @Suite("Output disk full")
    struct DiskFull {
        /// How the disk is full.
        struct Limit {
            var name: String
            /// The folder the outputs go to.
            var folder: URL
            /// What runs `strata` (nothing, or `prlimit`).
            var launcher: [String]
            /// The cause the error names, as the system words it.
            var cause: String
        }

        /// The bytes either limit allows: less than every output below.
        static let allowed = 8_192

        /// A file-size limit (`RLIMIT_FSIZE`, set by `prlimit`), which works without privileges: past it a write
        /// fails with EFBIG, and the process gets SIGXFSZ, which by default kills it.
        static func fileSizeLimit(in folder: URL) throws -> Limit {
            let prlimit = try #require(
                ["/usr/bin/prlimit", "/bin/prlimit"].first { FileManager.default.isExecutableFile(atPath: $0) },
                "prlimit (util-linux) is needed to limit the file size")
            let limited = folder.appendingPathComponent("limited")
            try FileManager.default.createDirectory(at: limited, withIntermediateDirectories: true)
            return Limit(name: "RLIMIT_FSIZE", folder: limited, launcher: [prlimit, "--fsize=\(allowed)", "--"], cause: "large")
        }

        @Test func everyOutputFailsCleanly() throws {
            let stores = try FaultStores()
            let model = try stores.strata([
                "train", "--name", "m", "--features", "user_stats:clicks,user_stats:spend,store_stats:rating,visit_stats:minutes",
                "--spine", "SELECT * FROM spine LIMIT 3000", "--label", "label", "--algorithm", "gbdt", "--param", "num_iterations=20",
            ])
            try #require(model.status == 0, "\(model.stderr)")
            for (name, seed) in [("reference.csv", 1), ("current.csv", 2)] {
                var random = SeededGenerator(seed: UInt64(seed))
                let rows = (0..<2000).map { _ in "\(Double.random(in: 0...Double(seed), using: &random)),\(Int.random(in: 0...5, using: &random))" }
                try (["x,y"] + rows).joined(separator: "\n").write(to: stores.folder.appendingPathComponent(name), atomically: true, encoding: .utf8)
            }

            var limits = [try Self.fileSizeLimit(in: stores.folder)]
            let tmpfs = try SmallFilesystem.mount(bytes: Self.allowed)
            defer { tmpfs?.unmount() }
            if let tmpfs {
                limits.append(Limit(name: "a full tmpfs", folder: tmpfs.folder, launcher: [], cause: "space"))
            }

            for limit in limits {
                let commands: [(output: String, arguments: [String])] = [
                    ("out.csv", ["training-set", "--service", "scoring", "--spine", "spine"]),
                    ("saved.csv", ["training-set", "--service", "scoring", "--spine", "spine", "--save", "full"]),
                    ("scores.csv", ["predict", "--model", "m", "--spine", "SELECT user_id, store_code, event_timestamp FROM spine LIMIT 3000"]),
                    ("model.txt", ["models", "export", "m"]),
                    ("report.html", ["drift", "--reference", "reference.csv", "--current", "current.csv", "--report"]),
                ]
                for (output, arguments) in commands {
                    let path = limit.folder.appendingPathComponent(output).path
                    let full = arguments.last == "--report" ? arguments + [path] : arguments + ["--output", path]
                    let outcome = try stores.strata(full, launcher: limit.launcher)
                    let what = "\(arguments[0]) to \(output) on \(limit.name)"
                    #expect(!outcome.killedBySignal && outcome.status == 2, "\(what): status \(outcome.status), \(outcome.stderr)")
                    #expect(outcome.stderr.contains("cannot write") && outcome.stderr.contains(path), "\(what): \(outcome.stderr)")
                    #expect(outcome.stderr.lowercased().contains(limit.cause), "\(what) names the cause: \(outcome.stderr)")
                    #expect(try FileManager.default.contentsOfDirectory(atPath: limit.folder.path) == [], "\(what) left files")
                }
            }
            let saved = try stores.registry.connection.execute("SELECT count(*) FROM strata_saved_sets WHERE name = 'full'")
            #expect(saved.int(0, 0) == 0, "no training set was saved")
        }
    }
}

/// A tmpfs of a few kilobytes mounted on a fresh folder, when this process may mount one (root, with the
/// capability): a disk that is really full.
struct SmallFilesystem {
    let folder: URL

    /// Mounts one, or returns nil when mounting is not allowed here.
    static func mount(bytes: Int) throws -> SmallFilesystem? {
        guard geteuid() == 0, FileManager.default.isExecutableFile(atPath: "/bin/mount") else { return nil }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("strata-full-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let mounted = run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(bytes)", "tmpfs", folder.path])
        guard mounted else {
            try? FileManager.default.removeItem(at: folder)
            return nil
        }
        return SmallFilesystem(folder: folder)
    }

    func unmount() {
        _ = Self.run("/bin/umount", [folder.path])
        try? FileManager.default.removeItem(at: folder)
    }

    private static func run(_ program: String, _ arguments: [String]) -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }
}

import Foundation
import StrataColumnar
import StrataCore
import StrataOnline
import StrataTestSupport
import Testing

/// CSV files far larger than a memory bound go through `strata` with its peak resident memory (read
/// from the kernel for the child process) under the bound: the file is read as a stream, never held.
@Suite("Large files in bounded memory", .enabled(if: TestServices.enabled), .serialized)
struct LargeFileMemoryTests {
    /// Writes `rows` lines made by `line` after `header` to a new file in `folder`; returns its path and size.
    static func write(_ name: String, in folder: URL, header: String, rows: Int, line: (Int) -> String) throws -> (String, Int) {
        let path = folder.appendingPathComponent(name).path
        guard let file = fopen(path, "w") else { throw TestServices.Failure(description: "cannot write \(path)") }
        defer { fclose(file) }
        var chunk = header
        var size = 0
        for row in 0..<rows {
            chunk += line(row)
            if chunk.utf8.count >= 1 << 20 || row == rows - 1 {
                size += chunk.utf8.count
                guard fputs(chunk, file) >= 0 else { throw TestServices.Failure(description: "cannot write \(path)") }
                chunk = ""
            }
        }
        return (path, size)
    }

    /// 256 MiB of push rows, each with a 4 KiB text feature, pushed with a peak under 224 MiB, of which
    /// about 30 MiB is the process at rest: the file held as text (as the reader before this one held
    /// it, twice over) would not fit, one batch of 8 MiB does (the peak was 78 MiB on a quiet machine and
    /// up to 147 MiB beside the whole suite, so the bound leaves room for a busy allocator).
    @Test func aPushFileLargerThanTheBoundIsWrittenInBoundedMemory() throws {
        let fixture = try OnlineFixture()
        let bound = 224 << 20
        let users = 500
        let padding = String(repeating: "abcdefghijklmnop", count: 256)
        let (path, size) = try Self.write(
            "push.csv", in: fixture.folder, header: OnlinePushTests.header, rows: 64 * 1024
        ) { row in
            let ts = UTCTimestamp.format(OnlineFixture.origin + Int64(row) * 1_000_000)
            return "\(row % users),\(ts),,\(row),1.5,0.25,3,true,\(row)-\(padding),\n"
        }
        #expect(size > bound)
        let environment = ["STRATA_POSTGRES_URL": fixture.postgresURL, "STRATA_REDIS_URL": fixture.redisURL.absoluteString]
        let (outcome, peak) = try StrataCLI.runMeasuringMemory(["push", "user_stats", path], environment: environment)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stdout.contains("\(64 * 1024) rows pushed"), "\(outcome.stdout)")
        #expect(peak < bound, "peak resident memory \(peak >> 20) MiB for a \(size >> 20) MiB file")
        // The newest row of each user won.
        let last = 64 * 1024 - 1
        let result = try fixture.store().onlineFeatures(
            [FeatureReference(view: "user_stats", feature: "clicks")], entities: OnlineFixture.users([0, Int64(last % users)]),
            at: OnlineFixture.origin + Int64(last) * 1_000_000)
        #expect(result.values[0] == Column(int64: [Int64(last - last % users), Int64(last)]))
    }
}

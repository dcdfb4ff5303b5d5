import Foundation
import StrataRedis

/// `redis-benchmark -P 64` (50 clients, 64 commands in flight each) on the suite's own Redis database,
/// as a second reference for the raw baselines: the server's throughput for SET, MGET of two keys and
/// HGET when clients keep it busy. Keys are under `strata-bench:rb`, so the database stays the bench's.
enum RedisBenchmark {
    struct Rates {
        var set: Double
        var mget: Double
        var hget: Double
    }

    /// The three rates in operations per second, or nil (with a note) when `redis-benchmark` is missing.
    static func run(url: RedisURL, recordSize: Int) throws -> Rates? {
        var common = ["-h", url.host, "-p", String(url.port), "--dbnum", String(url.database), "-P", "64", "-r", "1000000", "--csv"]
        // redis-benchmark 7.0 takes the password only on its command line (and has no --no-auth-warning,
        // which made every run fail): it sees the bench's own Redis, and its warning goes to the hidden stderr.
        if let password = url.password {
            common += ["-a", password]
            if let user = url.user { common += ["--user", user] }
        }
        let value = String(repeating: "v", count: recordSize)
        func rate(_ requests: Int, _ command: [String]) throws -> Double? {
            let (status, output) = try TrainingSuite.runProcess("redis-benchmark", common + ["-n", String(requests)] + command, quiet: true)
            guard status == 0 else { return nil }
            // CSV: a header line, then "command","rps",...
            for line in output.split(separator: "\n").dropFirst() {
                let fields = line.split(separator: ",").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
                if fields.count > 1, let rps = Double(fields[1]) { return rps }
            }
            return nil
        }
        guard let set = try rate(2_000_000, ["SET", "strata-bench:rb:__rand_int__", value]),
              try rate(1_000_000, ["HSET", "strata-bench:rbh:__rand_int__", "f", value]) != nil,
              let mget = try rate(500_000, ["MGET", "strata-bench:rb:__rand_int__", "strata-bench:rb:__rand_int__"]),
              let hget = try rate(1_000_000, ["HGET", "strata-bench:rbh:__rand_int__", "f"])
        else {
            print("online: redis-benchmark not found or failed; its reference rows are left out")
            return nil
        }
        return Rates(set: set, mget: mget, hget: hget)
    }
}

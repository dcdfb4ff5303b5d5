import CHiredis
import CLibPQ
import Foundation
import StrataPostgres
import StrataRedis

/// `clients`: one round trip through Strata's libpq and hiredis wrappers beside the same round trip
/// made with the raw C calls, on the same server and connection settings, so that the wrappers' own
/// cost is known.
enum ClientsSuite {
    static func run(_ arguments: [String]) throws {
        let iterations = Int(arguments.first ?? "") ?? 20_000
        let rounds = 5
        let servers = try BenchServers()
        defer { servers.stop() }

        let wrapped = try PostgresConnection(url: servers.postgresURL)
        guard let raw = PQconnectdb(servers.postgresURL), PQstatus(raw) == CONNECTION_OK else {
            throw PostgresError(code: .connectionFailed, message: "raw libpq could not connect")
        }
        defer { PQfinish(raw) }

        let redisURL = try RedisURL(servers.redisURL)
        let redis = try RedisConnection(url: redisURL)
        _ = try redis.command("SET", "strata-bench:key", String(repeating: "v", count: 64))
        guard let rawRedis = redisConnect(redisURL.host, Int32(redisURL.port)), rawRedis.pointee.err == 0 else {
            throw RedisError(code: .connectionFailed, message: "raw hiredis could not connect")
        }
        defer { redisFree(rawRedis) }
        if let password = redisURL.password {
            freeReplyObject(rawCommand(rawRedis, redisURL.user.map { ["AUTH", $0, password] } ?? ["AUTH", password]))
        }
        if redisURL.database != 0 {
            freeReplyObject(rawCommand(rawRedis, ["SELECT", String(redisURL.database)]))
        }

        var pgWrapped: [Double] = [], pgRaw: [Double] = [], redisWrapped: [Double] = [], redisRaw: [Double] = []
        for _ in 0..<rounds {
            pgWrapped.append(try perCall(iterations) { _ = try wrapped.execute("SELECT $1::int4", [.int(7)]).rowCount })
            pgRaw.append(perCall(iterations) { rawQuery(raw) })
            redisWrapped.append(try perCall(iterations) {
                _ = try redis.command(["GET", "strata-bench:key"])
            })
            redisRaw.append(perCall(iterations) { freeReplyObject(rawCommand(rawRedis, ["GET", "strata-bench:key"])) })
        }
        let pgRatio = Measure.median(pgWrapped) / Measure.median(pgRaw)
        let redisRatio = Measure.median(redisWrapped) / Measure.median(redisRaw)
        var table = ResultTable("round trip", "Strata µs", "raw C µs", "ratio")
        table.add("PostgreSQL SELECT $1 (libpq)", fmt(Measure.median(pgWrapped) / 1000), fmt(Measure.median(pgRaw) / 1000), fmt(pgRatio, 3))
        table.add("Redis GET (hiredis)", fmt(Measure.median(redisWrapped) / 1000), fmt(Measure.median(redisRaw) / 1000), fmt(redisRatio, 3))
        print("clients: medians of \(rounds) rounds of \(iterations) calls each, same server and connection settings")
        print(table.render())
        print("clients: postgres_ratio=\(fmt(pgRatio, 3)) redis_ratio=\(fmt(redisRatio, 3)) postgres_us=\(fmt(Measure.median(pgWrapped) / 1000)) redis_us=\(fmt(Measure.median(redisWrapped) / 1000))")
    }

    /// Mean nanoseconds per call over `n` calls.
    static func perCall(_ n: Int, _ body: () throws -> Void) rethrows -> Double {
        let start = Measure.now()
        for _ in 0..<n { try body() }
        return Double(Measure.now() - start) / Double(n)
    }

    static func rawQuery(_ conn: OpaquePointer) {
        "7".withCString { value in
            var values: [UnsafePointer<CChar>?] = [value]
            let result = PQexecParams(conn, "SELECT $1::int4", 1, nil, &values, nil, nil, 0)
            _ = PQntuples(result)
            PQclear(result)
        }
    }

    static func rawCommand(_ context: UnsafeMutablePointer<redisContext>, _ arguments: [String]) -> UnsafeMutableRawPointer? {
        let cStrings = arguments.map { strdup($0) }
        defer { cStrings.forEach { free($0) } }
        var pointers = cStrings.map { UnsafePointer<CChar>($0) }
        var lengths = arguments.map { $0.utf8.count }
        return redisCommandArgv(context, Int32(arguments.count), &pointers, &lengths)
    }
}

import Foundation
import StrataColumnar
import StrataEmbedded
import StrataOnline
import StrataPostgres
import StrataRedis
import StrataRegistry

/// `online --cluster`: the online suite's materialisation and lookups on a throwaway local Redis Cluster (three
/// masters, three replicas), each beside the same raw commands sent per master the fastest way a client can:
/// every record of a batch routed by the CRC16 slot of its key, each master's share encoded into one buffer,
/// all shares written before any reply is read (`RawRESP`, one socket per master). The sources and options are
/// the online suite's (`--entities`, `--runs`, `--lookups`); the cluster is started for the run and removed.
enum ClusterOnlineSuite {
    static func run(_ arguments: [String]) throws {
        var entities = 1_000_000
        var runs = 3
        var lookups = 100_000
        var index = 0
        while index < arguments.count {
            let value = index + 1 < arguments.count ? Int(arguments[index + 1]) : nil
            switch arguments[index] {
            case "--entities": entities = value ?? entities
            case "--runs": runs = value ?? runs
            case "--lookups": lookups = value ?? lookups
            case "--cluster":
                index += 1
                continue
            default: break
            }
            index += 2
        }
        let servers = try BenchServers()
        defer { servers.stop() }
        OnlineSuite.log("starting a throwaway Redis Cluster (3 masters, 3 replicas)...")
        let (local, started) = try BenchCleanup.shared.track(
            { try LocalRedisCluster.start() }, as: { cluster in .servers({ try? cluster.stop() }) })
        defer { BenchCleanup.shared.finish(started) }
        let clusterURL = try RedisClusterURL(local.url)
        let cluster = try RedisCluster(url: clusterURL, timeout: .seconds(120))
        let masters = try cluster.masters.map { address -> RawRESP in
            let parts = address.split(separator: ":")
            guard parts.count == 2, let port = Int(parts[1]) else {
                throw BenchServersError(.unreachable, "the cluster lists a master at '\(address)'")
            }
            return try RawRESP(url: clusterURL.nodeURL(host: String(parts[0]), port: port))
        }
        let raw = PerMaster(cluster: cluster, connections: masters)

        let db = try PostgresConnection(url: servers.postgresURL)
        OnlineSuite.log("generating \(entities) drivers and \(entities) customers, two source rows each")
        try OnlineSuite.generateSources(db, entities: entities)
        let registry = try Registry(connection: db)
        try registry.apply(OnlineSuite.repository())
        let materializer = Materializer(registry: registry, redis: cluster)

        var materializeRates: [Double] = [], rerunRates: [Double] = [], setRates: [Double] = []
        var recordSizes: [Int] = []
        for round in 0..<runs {
            _ = try cluster.commandOnEachServer(["FLUSHALL"])
            let seconds = try Measure.seconds { try materializer.materialize(project: OnlineSuite.project, start: nil, end: OnlineSuite.end) }
            materializeRates.append(Double(2 * entities) / seconds)
            rerunRates.append(Double(2 * entities) / (try Measure.seconds {
                try materializer.materialize(project: OnlineSuite.project, start: nil, end: OnlineSuite.end)
            }))
            if round == 0 { recordSizes = try sampleRecordSizes(cluster) }
            _ = try cluster.commandOnEachServer(["FLUSHALL"])
            setRates.append(raw.setLimit(entities: entities, recordSizes: recordSizes))
            _ = try cluster.commandOnEachServer(["FLUSHALL"])
            OnlineSuite.log("  run \(round + 1): materialise \(Int(materializeRates.last ?? 0)) entities/s, per-master pipelined SET \(Int(setRates.last ?? 0)) entities/s")
        }
        try materializer.materialize(project: OnlineSuite.project, start: nil, end: OnlineSuite.end)

        let repository = try registry.repository(project: OnlineSuite.project)
        let store = OnlineStore(redis: cluster, repository: repository)
        let query = try OnlineQuery(service: "ranking", in: repository)
        var rng = SplitMix64(seed: 7)
        let single = (0..<1000).map { _ in OnlineSuite.randomEntities(1, entities: entities, rng: &rng) }
        let batches = (0..<200).map { _ in OnlineSuite.randomEntities(100, entities: entities, rng: &rng) }
        let singleRequests = single.map { raw.hgetRequests(OnlineSuite.hashKeys($0)) }
        let batchRequests = batches.map { raw.hgetRequests(OnlineSuite.hashKeys($0)) }

        OnlineSuite.log("lookups: \(lookups) calls of one entity per view, \(max(lookups / 20, 200)) calls of 100")
        var strataSingle: [Double] = [], rawSingle: [Double] = []
        for i in 0..<lookups {
            let frame = single[i % single.count]
            // Strata and the raw HGETs of the same buckets take turns going first (the first finds them cold).
            if i % 2 == 0 {
                strataSingle.append(try OnlineSuite.timed { _ = try store.onlineFeatures(query, entities: frame, at: OnlineSuite.end) })
                rawSingle.append(OnlineSuite.timed { raw.roundTrip(singleRequests[i % single.count]) })
            } else {
                rawSingle.append(OnlineSuite.timed { raw.roundTrip(singleRequests[i % single.count]) })
                strataSingle.append(try OnlineSuite.timed { _ = try store.onlineFeatures(query, entities: frame, at: OnlineSuite.end) })
            }
        }
        var strataBatch: [Double] = [], rawBatch: [Double] = []
        for i in 0..<max(lookups / 20, 200) {
            let frame = batches[i % batches.count]
            if i % 2 == 0 {
                strataBatch.append(try OnlineSuite.timed { _ = try store.onlineFeatures(query, entities: frame, at: OnlineSuite.end) })
                rawBatch.append(OnlineSuite.timed { raw.roundTrip(batchRequests[i % batches.count]) })
            } else {
                rawBatch.append(OnlineSuite.timed { raw.roundTrip(batchRequests[i % batches.count]) })
                strataBatch.append(try OnlineSuite.timed { _ = try store.onlineFeatures(query, entities: frame, at: OnlineSuite.end) })
            }
        }
        _ = try cluster.commandOnEachServer(["FLUSHALL"])

        func us(_ values: [Double], _ p: Double) -> String { fmt(Measure.percentile(values, p) / 1000, 1) }
        func ratio(_ a: [Double], _ b: [Double], _ p: Double) -> String { fmt(Measure.percentile(a, p) / Measure.percentile(b, p), 3) }
        let fraction = Measure.median(materializeRates) / Measure.median(setRates)
        var table = ResultTable("measure", "Strata", "raw baseline", "ratio", "baseline")
        table.add(
            "materialise, entities/s (median of \(runs))", "\(Int(Measure.median(materializeRates)))", "\(Int(Measure.median(setRates)))",
            fmt(fraction, 3), "pipelined SET of same-size records, routed by slot, every master's share sent before reading")
        table.add(
            "  rerun: every entity exists (newer-wins function)", "\(Int(Measure.median(rerunRates)))", "",
            fmt(Measure.median(rerunRates) / Measure.median(setRates), 3), "")
        for p in [50.0, 99.0] {
            table.add("lookup 1 entity × 2 views p\(Int(p)), µs", us(strataSingle, p), us(rawSingle, p), ratio(strataSingle, rawSingle, p), "2 HGET (same layout) sent to their masters, pre-encoded")
        }
        for p in [50.0, 99.0] {
            table.add("lookup 100 entities × 2 views p\(Int(p)), µs", us(strataBatch, p), us(rawBatch, p), ratio(strataBatch, rawBatch, p), "200 HGET sent per master at once, pre-encoded")
        }
        print("online --cluster: \(entities) drivers × 5 features + \(entities) customers × 3 features on 3 masters + 3 replicas; records \(recordSizes.map(String.init).joined(separator: "/")) bytes; \(runs) materialisation runs; \(strataSingle.count) single and \(strataBatch.count) batch lookups")
        print(table.render())
        print(
            "online: cluster=3_masters_3_replicas materialize_entities_per_s=\(Int(Measure.median(materializeRates))) materialize_fraction_of_set_limit=\(fmt(fraction, 3)) lookup_p50_ratio=\(ratio(strataSingle, rawSingle, 50)) lookup_p99_ratio=\(ratio(strataSingle, rawSingle, 99)) batch100_p50_ms=\(fmt(Measure.percentile(strataBatch, 50) / 1e6, 3)) batch100_p50_ratio=\(ratio(strataBatch, rawBatch, 50))")
    }

    /// The median record size of each view, from a sample of stored records.
    static func sampleRecordSizes(_ cluster: RedisCluster) throws -> [Int] {
        try ["drivers", "customers"].map { view in
            var sizes: [Int] = []
            for id in stride(from: Int64(1), through: 2000, by: 7) {
                let (key, field) = OnlineSuite.hashKey(view: view, id: id)
                if let bytes = try cluster.command([Array("HGET".utf8), key, field]).bytes { sizes.append(bytes.count) }
            }
            sizes.sort()
            return sizes.isEmpty ? 48 : sizes[sizes.count / 2]
        }
    }

    /// Raw connections to each master, and the routing of keys to them by slot.
    final class PerMaster {
        let cluster: RedisCluster
        let connections: [RawRESP]
        private var buffers: [[UInt8]]
        private var counts: [Int]

        init(cluster: RedisCluster, connections: [RawRESP]) {
            self.cluster = cluster
            self.connections = connections
            buffers = Array(repeating: [], count: connections.count)
            counts = Array(repeating: 0, count: connections.count)
        }

        func master(of key: [UInt8]) -> Int {
            key.withUnsafeBytes { cluster.serverIndex(forKey: $0) }
        }

        /// One request per master: its share of the commands, encoded, and how many replies it sends back.
        func hgetRequests(_ pairs: [([UInt8], [UInt8])]) -> [(request: [UInt8], replies: Int)] {
            var requests = Array(repeating: (request: [UInt8](), replies: 0), count: connections.count)
            for (key, field) in pairs {
                let target = master(of: key)
                RawRESP.encode([Array("HGET".utf8), key, field], into: &requests[target].request)
                requests[target].replies += 1
            }
            return requests
        }

        /// Writes every master's share, then reads every master's replies.
        func roundTrip(_ requests: [(request: [UInt8], replies: Int)]) {
            for (connection, request) in zip(connections, requests) where request.replies > 0 { connection.send(request.request) }
            for (connection, request) in zip(connections, requests) where request.replies > 0 { connection.receive(replies: request.replies) }
        }

        /// The fastest rate (entities/s) of pipelined SETs of 2 × `entities` records of the sampled sizes, over
        /// a few pipeline depths; the keys carry a hash tag like the online layout's, so they spread over the slots.
        func setLimit(entities: Int, recordSizes: [Int]) -> Double {
            var best = 0.0
            let set = Array("SET".utf8)
            for depth in [1024, 4096, 16_384] {
                let values = recordSizes.map { [UInt8](repeating: 0x5A, count: $0) }
                let prefixes = [Array("strata-bench:d:{".utf8), Array("strata-bench:c:{".utf8)]
                var written = 0
                var key: [UInt8] = []
                let seconds = Measure.seconds {
                    for (view, value) in values.enumerated() {
                        var id = 0
                        while id < entities {
                            let end = min(id + depth, entities)
                            for i in buffers.indices {
                                buffers[i].removeAll(keepingCapacity: true)
                                counts[i] = 0
                            }
                            for entity in id..<end {
                                key.removeAll(keepingCapacity: true)
                                key.append(contentsOf: prefixes[view])
                                RawRESP.appendDigits(entity, to: &key)
                                key.append(UInt8(ascii: "}"))
                                let target = master(of: key)
                                RawRESP.encode(set, key, value, into: &buffers[target])
                                counts[target] += 1
                            }
                            for i in connections.indices where counts[i] > 0 { connections[i].send(buffers[i]) }
                            for i in connections.indices where counts[i] > 0 { connections[i].receive(replies: counts[i]) }
                            written += end - id
                            id = end
                        }
                    }
                }
                best = max(best, Double(written) / seconds)
            }
            return best
        }
    }
}

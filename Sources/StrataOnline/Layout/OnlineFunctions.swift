import StrataRedis

/// The Redis function library that writes records with the newer-wins rule and sets the views' markers,
/// loaded with `FUNCTION LOAD REPLACE` before each run (Redis 7 or later).
enum OnlineFunctions {
    /// The library's name; a new record format gets a new library.
    static let library = "strata_online_1"
    /// The function that writes records.
    static let put = "strata_put"
    /// The function that writes records whose keys live on one master of a Redis Cluster, in any slots.
    static let putLocal = "strata_put_local"
    /// The function that sets the markers at the end of a materialisation (`OnlineMarkers`).
    static let mark = "strata_mark"

    /// `strata_put`: KEYS are one bucket per entry; ARGV is `1` when entries carry an expiry deadline
    /// (else `0`), then per entry its field, its record and, when expiring, its deadline in Unix ms.
    /// A new field is stored with `HSETNX` (one call); otherwise the record replaces the stored one
    /// unless the stored one is strictly newer by (event, created); a stored record of another format or schema tag is always replaced. Timestamps are compared as
    /// (signed high word, unsigned low word) pairs because Lua numbers are doubles. Returns how many
    /// entries were written.
    ///
    /// `strata_put_local`: the same for a Redis Cluster, where a call may declare keys of one slot only: KEYS is
    /// the first entry's bucket (which routes the call), ARGV is the number of entries `n`, their `n` buckets,
    /// then `strata_put`'s ARGV. The buckets must all live on the master that serves the first one (the flag
    /// `allow-cross-slot-keys` lets them span slots); otherwise Redis stops the call with an error, after the
    /// entries before the foreign bucket were written (which is harmless: writing them again changes nothing).
    ///
    /// `strata_mark`: KEYS is the project's marker hash; ARGV is the run token, then per view its name
    /// and its new marker (empty: leave the marker as it is). Only when every view's run field
    /// (`<view>|run`) still holds the token does it set the markers and delete the run fields (and
    /// return 1); otherwise it changes nothing and returns 0.
    static let source = """
        #!lua name=\(library)

        local function newer_or_same(new, old)
          if string.len(old) < 19 or string.byte(old, 1) ~= string.byte(new, 1)
             or string.sub(old, 18, 19) ~= string.sub(new, 18, 19) then
            return true
          end
          local nl, nh, ncl, nch = struct.unpack('<I4i4I4i4', new, 2)
          local ol, oh, ocl, och = struct.unpack('<I4i4I4i4', old, 2)
          if nh ~= oh then return nh > oh end
          if nl ~= ol then return nl > ol end
          if nch ~= och then return nch > och end
          return ncl >= ocl
        end

        local function put_entries(keys, args, first)
          local expiring = args[first] == '1'
          local stride = expiring and 3 or 2
          local written = 0
          for i = 1, #keys do
            local at = first + 1 + (i - 1) * stride
            local key, field, record = keys[i], args[at], args[at + 1]
            local stored = redis.call('HSETNX', key, field, record) == 1
            if not stored and newer_or_same(record, redis.call('HGET', key, field)) then
              redis.call('HSET', key, field, record)
              stored = true
            end
            if stored then
              written = written + 1
              if expiring then
                if redis.call('PTTL', key) == -1 then
                  redis.call('PEXPIREAT', key, args[at + 2])
                else
                  redis.call('PEXPIREAT', key, args[at + 2], 'GT')
                end
              end
            end
          end
          return written
        end

        local function put(keys, args)
          return put_entries(keys, args, 1)
        end

        local function put_local(keys, args)
          local n = tonumber(args[1])
          local buckets = {}
          for i = 1, n do buckets[i] = args[1 + i] end
          return put_entries(buckets, args, n + 2)
        end

        local function mark(keys, args)
          local key, token = keys[1], args[1]
          for i = 2, #args, 2 do
            if redis.call('HGET', key, args[i] .. '|run') ~= token then return 0 end
          end
          for i = 2, #args, 2 do
            if args[i + 1] ~= '' then redis.call('HSET', key, args[i], args[i + 1]) end
            redis.call('HDEL', key, args[i] .. '|run')
          end
          return 1
        end

        redis.register_function('\(put)', put)
        redis.register_function{function_name='\(putLocal)', callback=put_local, flags={'allow-cross-slot-keys'}}
        redis.register_function('\(mark)', mark)
        """

    /// Loads (or replaces) the library on the server, or on every master of a cluster.
    static func load(_ redis: some RedisClient) throws {
        _ = try redis.commandOnEachServer(["FUNCTION", "LOAD", "REPLACE", source])
    }

    /// The server's `run_id`, which changes when Redis restarts; on a cluster, every master's, so that a
    /// restart or a failover of any master changes it (a resharding, which keeps the masters, does not).
    static func runID(_ redis: some RedisClient) throws -> String {
        try redis.commandOnEachServer(["INFO", "server"]).map { reply in
            let info = reply.string ?? ""
            for line in info.split(whereSeparator: \.isNewline) where line.hasPrefix("run_id:") {
                return String(line.dropFirst("run_id:".count))
            }
            throw RedisError(code: .protocolError, message: "Redis at \(redis.redactedURL) reports no run_id in INFO server")
        }.sorted().joined(separator: ",")
    }
}

import StrataPostgres

extension Registry {
    /// The exact microseconds since the Unix epoch of a timestamptz column, computed without a double.
    static let watermarkMicros =
        "(EXTRACT(EPOCH FROM date_trunc('second', watermark))::bigint * 1000000 + EXTRACT(MICROSECONDS FROM watermark)::bigint % 1000000)"

    /// How far materialisation of `view` has come (µs since the Unix epoch), or nil when it never ran.
    public func watermark(project: String, view: String) throws -> Int64? {
        let rows = try connection.execute(
            "SELECT \(Self.watermarkMicros) FROM strata_watermarks WHERE project = $1 AND view_name = $2",
            [.text(project), .text(view)])
        return rows.rowCount == 0 ? nil : rows.int(0, 0)
    }

    /// Every view's watermark in `project` (µs since the Unix epoch).
    public func watermarks(project: String) throws -> [String: Int64] {
        try watermarkStates(project: project).mapValues(\.micros)
    }

    /// Every view's watermark in `project`, with the run that set it.
    public func watermarkStates(project: String) throws -> [String: Watermark] {
        let rows = try connection.execute(
            "SELECT view_name, \(Self.watermarkMicros), run_token FROM strata_watermarks WHERE project = $1", [.text(project)])
        var result: [String: Watermark] = [:]
        for row in 0..<rows.rowCount {
            guard let view = rows.string(row, 0), let micros = rows.int(row, 1) else { continue }
            result[view] = Watermark(micros: micros, runToken: rows.string(row, 2))
        }
        return result
    }

    /// Records a materialisation run in one transaction: each view's watermark moves to its update's
    /// time (forward only, unless the update resets it) and remembers `runToken`.
    public func recordRun(project: String, runToken: String, updates: [Watermark.Update]) throws {
        guard !updates.isEmpty else { return }
        try connection.transaction { db in
            for update in updates.sorted(by: { $0.view < $1.view }) {
                try db.execute(
                    """
                    INSERT INTO strata_watermarks (project, view_name, watermark, run_token)
                    VALUES ($1, $2, 'epoch'::timestamptz + $3::bigint * interval '1 microsecond', $4)
                    ON CONFLICT (project, view_name) DO UPDATE
                    SET watermark = CASE WHEN $5::boolean THEN EXCLUDED.watermark
                                         ELSE GREATEST(strata_watermarks.watermark, EXCLUDED.watermark) END,
                        run_token = EXCLUDED.run_token, updated_at = now()
                    """, [.text(project), .text(update.view), .int(update.micros), .text(runToken), .bool(update.resets)])
            }
        }
    }
}

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
        let rows = try connection.execute(
            "SELECT view_name, \(Self.watermarkMicros) FROM strata_watermarks WHERE project = $1", [.text(project)])
        var result: [String: Int64] = [:]
        for row in 0..<rows.rowCount { result[rows.string(row, 0)!] = rows.int(row, 1)! }
        return result
    }

    /// Moves the watermarks of the given views forward to the given times (µs) in one transaction;
    /// a watermark never moves back.
    public func advanceWatermarks(project: String, to marks: [String: Int64]) throws {
        guard !marks.isEmpty else { return }
        try connection.transaction { db in
            for (view, micros) in marks.sorted(by: { $0.key < $1.key }) {
                try db.execute(
                    """
                    INSERT INTO strata_watermarks (project, view_name, watermark)
                    VALUES ($1, $2, 'epoch'::timestamptz + $3::bigint * interval '1 microsecond')
                    ON CONFLICT (project, view_name) DO UPDATE
                    SET watermark = GREATEST(strata_watermarks.watermark, EXCLUDED.watermark), updated_at = now()
                    """, [.text(project), .text(view), .int(micros)])
            }
        }
    }

    /// Forgets a view's watermark, so that the next incremental run starts from the beginning of time.
    public func removeWatermark(project: String, view: String) throws {
        try connection.execute(
            "DELETE FROM strata_watermarks WHERE project = $1 AND view_name = $2", [.text(project), .text(view)])
    }
}

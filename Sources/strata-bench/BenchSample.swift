import Foundation
import StrataColumnar
import StrataCore
import StrataExample
import StrataPostgres
import StrataRegistry

/// What the offline and aggregation suites set up alike: a random spine over the loaded sample and
/// the example schema registered over it.
enum BenchSample {
    /// (Re)creates table `bench_spine`: `rows` rows of a random driver and customer of `sample` at a
    /// random second of its days, labelled true with probability 0.3; the seed is fixed, so every run
    /// joins the same spine.
    static func createSpine(_ db: PostgresConnection, sample: SampleData, rows: Int) throws {
        let size = sample.size
        try db.executeScript(
            """
            DROP TABLE IF EXISTS bench_spine;
            SELECT setseed(0.42);
            CREATE TABLE bench_spine AS
            SELECT \(SampleData.firstDriverID) + floor(random() * \(size.drivers))::bigint AS driver_id,
                   \(SampleData.firstCustomerID) + floor(random() * \(size.customers))::bigint AS customer_id,
                   date_trunc('second', '\(UTCTimestamp.format(sample.start))'::timestamptz + random() * interval '\(size.days) days') AS event_timestamp,
                   random() < 0.3 AS label
            FROM generate_series(1, \(rows));
            ANALYZE bench_spine;
            """)
    }

    /// Registers the repository's `schemas/` (the ride-hailing example) in `db` and returns it.
    static func applySchemas(_ db: PostgresConnection) throws -> Repository {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("schemas").path
        let repository = try SchemaLoader.load(directory: folder)
        try Registry(connection: db).apply(repository)
        return repository
    }
}

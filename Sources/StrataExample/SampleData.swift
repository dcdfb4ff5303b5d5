import StrataColumnar
import StrataPostgres

/// Deterministic, realistic data for the ride-hailing example in `schemas/rides.yaml`:
/// hourly driver stats with gaps, duplicate timestamps that differ only in created time and nulls;
/// daily customer profiles; sparse driver quality reviews; trips (events, for the aggregation view).
public struct SampleData: Sendable {
    /// How much to generate.
    public struct Size: Sendable, Hashable {
        public var drivers: Int
        public var customers: Int
        public var days: Int
        /// Mean trips per driver and day (0 leaves the trips table empty).
        public var tripsPerDriverDay: Double

        public init(drivers: Int, customers: Int, days: Int, tripsPerDriverDay: Double = 20) {
            self.drivers = drivers
            self.customers = customers
            self.days = days
            self.tripsPerDriverDay = tripsPerDriverDay
        }

        /// A few thousand rows: enough to see every case, fast to load.
        public static let small = Size(drivers: 100, customers: 200, days: 7)
        /// The shape of the offline benchmark: ~5.5M hourly rows, ~0.5M profiles, ~85k reviews, ~6M trips.
        public static let benchmark = Size(drivers: 10_000, customers: 20_000, days: 30)
    }

    /// Row counts written per table.
    public struct Counts: Sendable, Hashable {
        public var driverHourlyStats = 0
        public var customerDailyProfile = 0
        public var driverQuality = 0
        public var trips = 0
    }

    public var size: Size
    public var seed: UInt64
    /// The first instant of the data (UTC microseconds); the data covers `size.days` days from here.
    public var start: Int64

    /// Fraction of driver-hours with no row.
    public static let gapRate = 0.2
    /// Fraction of rows repeated with the same event timestamp and a later created timestamp.
    public static let duplicateRate = 0.01
    /// Fraction of feature values that are null.
    public static let nullRate = 0.02

    public init(size: Size, seed: UInt64 = 42, start: Int64 = UTCTimestamp.parse("2026-01-01T00:00:00Z")!) {
        self.size = size
        self.seed = seed
        self.start = start
    }

    /// The first driver id; drivers are numbered consecutively from it.
    public static let firstDriverID: Int64 = 1001
    /// The first customer id; customers are numbered consecutively from it.
    public static let firstCustomerID: Int64 = 50_001

    /// The end of the data: `start` plus `size.days` days.
    public var end: Int64 { start + Int64(size.days) * 86_400 * UTCTimestamp.microsPerSecond }

    /// A spine query over the sample for the `driver_ranking` service: each driver, paired with one
    /// customer, every 12 hours from the second day to the end, labelled with whether the driver's
    /// conversion rate in the next 12 hours is above 0.5. What `strata demo` and the serve bench train on.
    public var conversionSpine: String {
        let day = 86_400 * UTCTimestamp.microsPerSecond
        return """
            SELECT d.driver_id, \(Self.firstCustomerID) + (d.driver_id * 7919) % \(size.customers) AS customer_id,
                   t AS event_timestamp,
                   coalesce((SELECT h.conv_rate FROM driver_hourly_stats h
                             WHERE h.driver_id = d.driver_id AND h.event_timestamp BETWEEN t AND t + interval '12 hours'
                             ORDER BY h.event_timestamp DESC LIMIT 1), 0) > 0.5 AS label
            FROM generate_series(\(Self.firstDriverID)::bigint, \(Self.firstDriverID + Int64(size.drivers) - 1)::bigint) AS d(driver_id),
                 generate_series('\(UTCTimestamp.format(start + day))'::timestamptz,
                                 '\(UTCTimestamp.format(end))'::timestamptz, interval '12 hours') AS t
            """
    }

    /// (Re)creates the four source tables, without indexes, and fills them.
    /// `progress` is called with a table name and the rows written so far.
    @discardableResult
    public func load(into db: PostgresConnection, progress: (String, Int) -> Void = { _, _ in }) throws -> Counts {
        var counts = Counts()
        try db.executeScript(
            """
            DROP TABLE IF EXISTS driver_hourly_stats, customer_daily_profile, driver_quality, trips;
            CREATE TABLE driver_hourly_stats (
                driver_id bigint NOT NULL, event_timestamp timestamptz NOT NULL, created timestamptz NOT NULL,
                conv_rate double precision, acc_rate real, avg_daily_trips bigint);
            CREATE TABLE customer_daily_profile (
                customer_id bigint NOT NULL, event_timestamp timestamptz NOT NULL, created timestamptz NOT NULL,
                current_balance double precision, avg_passenger_count real, lifetime_trip_count integer, segment text);
            CREATE TABLE driver_quality (
                driver_id bigint NOT NULL, event_timestamp timestamptz NOT NULL,
                rating double precision, verified boolean, vehicle_class text, last_inspection timestamptz);
            CREATE TABLE trips (
                trip_id bigint NOT NULL, driver_id bigint NOT NULL, customer_id bigint NOT NULL,
                event_timestamp timestamptz NOT NULL, fare double precision, distance_km real);
            """)
        counts.driverHourlyStats = try db.copyIn(
            "COPY driver_hourly_stats (driver_id, event_timestamp, created, conv_rate, acc_rate, avg_daily_trips) FROM STDIN"
        ) { out in try writeDriverHourlyStats(&out) { progress("driver_hourly_stats", $0) } }
        counts.customerDailyProfile = try db.copyIn(
            "COPY customer_daily_profile (customer_id, event_timestamp, created, current_balance, avg_passenger_count, lifetime_trip_count, segment) FROM STDIN"
        ) { out in try writeCustomerDailyProfile(&out) { progress("customer_daily_profile", $0) } }
        counts.driverQuality = try db.copyIn(
            "COPY driver_quality (driver_id, event_timestamp, rating, verified, vehicle_class, last_inspection) FROM STDIN"
        ) { out in try writeDriverQuality(&out) { progress("driver_quality", $0) } }
        try db.execute("ANALYZE driver_hourly_stats")
        try db.execute("ANALYZE customer_daily_profile")
        counts.trips = try db.copyIn(
            "COPY trips (trip_id, driver_id, customer_id, event_timestamp, fare, distance_km) FROM STDIN"
        ) { out in try writeTrips(&out) { progress("trips", $0) } }
        try db.execute("ANALYZE driver_quality")
        try db.execute("ANALYZE trips")
        return counts
    }

    static let hour: Int64 = 3600 * UTCTimestamp.microsPerSecond
    static let day: Int64 = 24 * hour

    func writeDriverHourlyStats(_ out: inout CopyInWriter, progress: (Int) -> Void) throws {
        var rng = SplitMix64(seed: seed &+ 1)
        var line = TextRow()
        var rows = 0
        let hours = size.days * 24
        for d in 0..<size.drivers {
            let driver = Self.firstDriverID + Int64(d)
            let skill = rng.unit()
            for h in 0..<hours {
                if rng.chance(Self.gapRate) { continue }
                let event = start + Int64(h) * Self.hour
                let copies = rng.chance(Self.duplicateRate) ? 2 : 1
                var created = event + Int64(rng.unit() * 600) * UTCTimestamp.microsPerSecond
                for _ in 0..<copies {
                    let conv = min(1, max(0, skill * 0.6 + rng.unit() * 0.4))
                    line.reset()
                    line.int(driver)
                    line.timestamp(event)
                    line.timestamp(created)
                    line.double(rng.chance(Self.nullRate) ? nil : conv)
                    line.float(rng.chance(Self.nullRate) ? nil : Float(0.5 + rng.unit() * 0.5))
                    line.int(rng.chance(Self.nullRate) ? nil : Int64(skill * 30 + rng.unit() * 20))
                    try line.write(to: &out)
                    rows += 1
                    created += Int64(1 + rng.unit() * 3600) * UTCTimestamp.microsPerSecond
                }
            }
            if d % 500 == 499 { progress(rows) }
        }
        progress(rows)
    }

    static let segments = ["standard", "premium", "business", "student"]

    func writeCustomerDailyProfile(_ out: inout CopyInWriter, progress: (Int) -> Void) throws {
        var rng = SplitMix64(seed: seed &+ 2)
        var line = TextRow()
        var rows = 0
        for c in 0..<size.customers {
            let customer = Self.firstCustomerID + Int64(c)
            var trips = Int64(rng.unit() * 200)
            let segment = Self.segments[Int(rng.next() % UInt64(Self.segments.count))]
            for d in 0..<size.days {
                if rng.chance(0.15) { continue }
                let event = start + Int64(d) * Self.day + Int64(rng.unit() * 3600) * UTCTimestamp.microsPerSecond
                trips += Int64(rng.unit() * 4)
                line.reset()
                line.int(customer)
                line.timestamp(event)
                line.timestamp(event + 5 * 60 * UTCTimestamp.microsPerSecond)
                line.double(rng.chance(Self.nullRate) ? nil : (rng.unit() * 500).rounded() / 100)
                line.float(rng.chance(Self.nullRate) ? nil : Float(1 + rng.unit() * 2))
                line.int(rng.chance(Self.nullRate) ? nil : trips)
                line.text(rng.chance(Self.nullRate) ? nil : segment)
                try line.write(to: &out)
                rows += 1
            }
            if c % 1000 == 999 { progress(rows) }
        }
        progress(rows)
    }

    static let vehicleClasses = ["economy", "comfort", "xl", "premium"]

    func writeDriverQuality(_ out: inout CopyInWriter, progress: (Int) -> Void) throws {
        var rng = SplitMix64(seed: seed &+ 3)
        var line = TextRow()
        var rows = 0
        let span = Int64(size.days) * Self.day
        for d in 0..<size.drivers {
            let driver = Self.firstDriverID + Int64(d)
            if rng.chance(0.05) { continue }
            let reviews = Int(rng.unit() * Double(size.days) * 0.6)
            var times = (0..<reviews).map { _ in start + Int64(rng.unit() * Double(span)) }
            times.sort()
            let vehicle = Self.vehicleClasses[Int(rng.next() % UInt64(Self.vehicleClasses.count))]
            for event in times {
                line.reset()
                line.int(driver)
                line.timestamp(event - event % UTCTimestamp.microsPerSecond)
                line.double(rng.chance(Self.nullRate) ? nil : (3 + rng.unit() * 2 * 100).rounded() / 100)
                line.bool(rng.chance(Self.nullRate) ? nil : rng.chance(0.8))
                line.text(rng.chance(Self.nullRate) ? nil : vehicle)
                line.timestamp(rng.chance(Self.nullRate) ? nil : event - Int64(rng.unit() * 90) * Self.day)
                try line.write(to: &out)
                rows += 1
            }
            if d % 1000 == 999 { progress(rows) }
        }
        progress(rows)
    }

    /// Trips: per driver and day a number around `tripsPerDriverDay` scaled by the driver's activity,
    /// at random seconds, some exactly on the hour (tile boundaries); fares grow with distance, with nulls.
    func writeTrips(_ out: inout CopyInWriter, progress: (Int) -> Void) throws {
        guard size.tripsPerDriverDay > 0 else { return progress(0) }
        var rng = SplitMix64(seed: seed &+ 4)
        var line = TextRow()
        var rows = 0
        for d in 0..<size.drivers {
            let driver = Self.firstDriverID + Int64(d)
            let activity = 0.25 + rng.unit() * 1.5
            for day in 0..<size.days {
                let trips = Int((size.tripsPerDriverDay * activity * (0.5 + rng.unit())).rounded())
                let dayStart = start + Int64(day) * Self.day
                for _ in 0..<trips {
                    var event = dayStart + Int64(rng.unit() * 86_400) * UTCTimestamp.microsPerSecond
                    if rng.chance(0.02) { event -= event % Self.hour }
                    let distance = 0.5 + rng.unit() * rng.unit() * 30
                    rows += 1
                    line.reset()
                    line.int(Int64(rows))
                    line.int(driver)
                    line.int(Self.firstCustomerID + Int64(rng.next() % UInt64(max(1, size.customers))))
                    line.timestamp(event)
                    line.double(rng.chance(Self.nullRate) ? nil : ((3 + distance * 1.6 + rng.unit() * 4) * 100).rounded() / 100)
                    line.float(rng.chance(Self.nullRate) ? nil : Float((distance * 10).rounded() / 10))
                    try line.write(to: &out)
                }
            }
            if d % 500 == 499 { progress(rows) }
        }
        progress(rows)
    }
}

/// One line of PostgreSQL's text COPY format, built in a reused byte buffer.
struct TextRow {
    var bytes: [UInt8] = []
    var first = true

    mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
        first = true
    }

    mutating func separator() {
        if !first { bytes.append(9) }
        first = false
    }

    mutating func null() { bytes.append(contentsOf: [92, 78]) }

    mutating func int(_ v: Int64?) {
        separator()
        guard let v else { return null() }
        bytes.append(contentsOf: String(v).utf8)
    }

    mutating func double(_ v: Double?) {
        separator()
        guard let v else { return null() }
        bytes.append(contentsOf: "\(v)".utf8)
    }

    mutating func float(_ v: Float?) {
        separator()
        guard let v else { return null() }
        bytes.append(contentsOf: "\(v)".utf8)
    }

    mutating func bool(_ v: Bool?) {
        separator()
        guard let v else { return null() }
        bytes.append(v ? 116 : 102)
    }

    mutating func text(_ v: String?) {
        separator()
        guard let v else { return null() }
        for c in v.utf8 {
            switch c {
            case 92: bytes.append(contentsOf: [92, 92])
            case 9: bytes.append(contentsOf: [92, 116])
            case 10: bytes.append(contentsOf: [92, 110])
            case 13: bytes.append(contentsOf: [92, 114])
            default: bytes.append(c)
            }
        }
    }

    mutating func timestamp(_ micros: Int64?) {
        separator()
        guard let micros else { return null() }
        UTCTimestamp.append(micros, to: &bytes)
    }

    mutating func write(to out: inout CopyInWriter) throws {
        bytes.append(10)
        try bytes.withUnsafeBytes { try out.write($0) }
    }
}
